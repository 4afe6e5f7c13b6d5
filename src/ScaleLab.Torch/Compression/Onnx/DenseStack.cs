using ScaleLab.Core.Spec;

namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>One fully connected layer of an exported network: y = act(x·Wᵀ + b). Weight is row-major (Out, In).</summary>
public sealed record DenseLayer(long In, long Out, float[] Weight, float[]? Bias, ActivationKind? Activation);

/// <summary>
/// A feed-forward network as plain arrays (flatten → linear/activation …): the part of a spec that can be exported
/// to ONNX Runtime for real int8 inference. Dropout is the identity at inference and is dropped.
/// </summary>
public sealed record DenseStack(long InputFeatures, IReadOnlyList<DenseLayer> Layers)
{
    public long OutputFeatures => Layers[^1].Out;
}
