using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// The one way from a <see cref="ModelSpec"/> to a TorchSharp module. Layer stacks take a batch (B, …input);
/// transformers take token ids (B, S). Initialisation draws from torch's global generator, so call
/// torch.manual_seed first for reproducible weights.
/// </summary>
public static class ModuleBuilder
{
    public static nn.Module<Tensor, Tensor> Build(ModelSpec spec, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        nn.Module<Tensor, Tensor> model;
        if (spec.Transformer is { } transformer)
        {
            Validate(spec, transformer);
            model = new TransformerModel(transformer);
        }
        else
        {
            if (spec.Input is null) throw new SpecException(spec.Source, "input", "a layer-stack spec needs an input shape, e.g. [1, 28, 28]");
            var (layers, output) = new LayerStackBuilder(spec.Source).BuildSequence(spec.Layers, spec.Input, "layers");
            model = new StackModel(layers, output);
        }

        if (device is not null && device.type != DeviceType.CPU) model.to(device);
        return model;
    }

    private static void Validate(ModelSpec spec, TransformerSpec t)
    {
        if (t.Heads < 1 || t.EffectiveKvHeads < 1 || t.Heads % t.EffectiveKvHeads != 0)
        {
            throw new SpecException(spec.Source, "transformer.kv_heads", $"kv_heads {t.EffectiveKvHeads} must divide heads {t.Heads}");
        }

        if (t.Positions == PositionKind.Rotary && t.EffectiveHeadDim % 2 != 0)
        {
            throw new SpecException(spec.Source, "transformer.head_dim", $"rotary positions need an even head_dim, got {t.EffectiveHeadDim}");
        }

        if (t.IsMixtureOfExperts && (t.TopK < 1 || t.TopK > t.Experts))
        {
            throw new SpecException(spec.Source, "transformer.top_k", $"top_k {t.TopK} must be between 1 and experts ({t.Experts})");
        }
    }
}
