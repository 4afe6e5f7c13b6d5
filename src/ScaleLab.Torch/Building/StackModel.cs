using ScaleLab.Core.Spec;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>A layer-stack model: the layers run in order; parameters are "layers.{i}.…", matching the spec's layers[i].</summary>
public sealed class StackModel : NamedModule
{
    private readonly nn.Module<Tensor, Tensor> _layers;

    public StackModel(nn.Module<Tensor, Tensor> layers, Shape outputShape) : base(nameof(StackModel))
    {
        _layers = layers;
        OutputShape = outputShape;
        register_module("layers", layers);
    }

    /// <summary>Per-sample output shape, as the builder inferred it.</summary>
    public Shape OutputShape { get; }

    public override Tensor forward(Tensor input) => _layers.call(input);
}
