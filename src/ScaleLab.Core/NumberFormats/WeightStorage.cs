using ScaleLab.Core.Spec;

namespace ScaleLab.Core.NumberFormats;

/// <summary>One tensor's format and bytes.</summary>
public sealed record StoredTensor(WeightTensor Tensor, BlockFormat Format, long Bytes);

/// <summary>Every weight tensor of a model in its format, plus the norm weights and biases (what remains of the count) in <see cref="RestFormat"/>.</summary>
public sealed record WeightStorage(string Recipe, IReadOnlyList<StoredTensor> Tensors, long RestParameters, BlockFormat RestFormat)
{
    public long RestBytes => RestFormat.Bytes(RestParameters, 1);

    public long TotalBytes => checked(Tensors.Sum(t => t.Bytes) + RestBytes);

    public long Parameters => checked(Tensors.Sum(t => t.Tensor.Elements) + RestParameters);

    public double BitsPerParameter => 8.0 * TotalBytes / Parameters;

    /// <summary>Parameters per format name, largest first: how a mixed recipe spends its bits.</summary>
    public IReadOnlyList<(string Format, long Parameters, long Bytes)> Mix => [.. Tensors
        .GroupBy(t => t.Format.Name)
        .Select(g => (g.Key, g.Sum(t => t.Tensor.Elements), g.Sum(t => t.Bytes)))
        .Append((RestFormat.Name, RestParameters, RestBytes))
        .Where(x => x.Item2 > 0)
        .GroupBy(x => x.Item1)
        .Select(g => (g.Key, g.Sum(x => x.Item2), g.Sum(x => x.Item3)))
        .OrderByDescending(x => x.Item2)];
}

/// <summary>Assigns a storage format to each weight tensor of a model.</summary>
public abstract class WeightRecipe
{
    public abstract string Name { get; }

    /// <summary>One line: what is stored how, and where the rule comes from.</summary>
    public abstract string Description { get; }

    /// <summary>Norm weights and biases (1-D tensors).</summary>
    protected virtual BlockFormat RestFormat => BlockFormats.F32;

    public abstract BlockFormat FormatFor(WeightTensor tensor, TransformerSpec model);

    public WeightStorage Store(TransformerSpec model, long totalParameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = WeightTensors.Of(model)
            .Select(t =>
            {
                var format = FormatFor(t, model);
                return new StoredTensor(t, format, checked(format.Bytes(t.In, t.Out) * t.Copies));
            })
            .ToList();
        long rest = totalParameters - tensors.Sum(t => t.Tensor.Elements);
        if (rest < 0)
            throw new ArgumentException($"{model.Layers} layers' weight tensors hold more than the {totalParameters} parameters counted; this architecture's tensors are not modelled for --precision {Name}", nameof(model));
        return new WeightStorage(Name, tensors, rest, RestFormat);
    }
}

/// <summary>
/// The blocks' linear layers (attention and FFN, every expert) in one format; token embeddings, the LM head and the
/// router in bf16; norms and biases as the checkpoint keeps them (bf16). This is how AutoAWQ and AutoGPTQ quantize
/// (the decoder layers' nn.Linear modules, lm_head skipped) and how NVIDIA ModelOpt's FP8/NVFP4 checkpoints keep
/// lm_head unquantized by default. (gpt-oss keeps its attention in bf16 too: only its MoE weights are MXFP4.)
/// </summary>
public sealed class LinearLayersRecipe(BlockFormat format) : WeightRecipe
{
    public BlockFormat Format { get; } = format ?? throw new ArgumentNullException(nameof(format));

    public override string Name => Format.Name;

    public override string Description => $"block linear layers {Format.Name} ({Format.BitsPerWeight:0.####} bits: {Format.Layout}; {Format.Source}); embeddings, LM head, router, norms bf16";

    protected override BlockFormat RestFormat => BlockFormats.Bf16;

    public override BlockFormat FormatFor(WeightTensor tensor, TransformerSpec model)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.Role is TensorRole.TokenEmbedding or TensorRole.Output or TensorRole.Router or TensorRole.Unquantized
            ? BlockFormats.Bf16
            : Format;
    }
}
