using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// Rotary position embedding (Su et al. 2021, RoFormer, arXiv:2104.09864) in the "rotate half" layout of
/// GPT-NeoX and Llama: x·cos + rotate_half(x)·sin with θ_i = base^(−2i/hd). It has no parameters.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>Rotates <paramref name="x"/> (B, H, S, hd) by position; hd must be even.</summary>
    public static Tensor Apply(Tensor x, double theta)
    {
        using var scope = NewDisposeScope();
        long seq = x.shape[2], headDim = x.shape[3], half = headDim / 2;
        using Scalar two = 2L.ToScalar(), width = headDim.ToScalar(), length = seq.ToScalar();
        using var @base = tensor(theta);   // pow takes the base as a tensor: a 0-dim float64 one, as torch.pow(float, Tensor) makes
        var inverseFrequency = pow(@base, -arange(Scalars.Zero, width, two, dtype: ScalarType.Float32, device: x.device).div(width));   // (hd/2)
        var positions = arange(Scalars.Zero, length, Scalars.One, dtype: ScalarType.Float32, device: x.device);                  // (S)
        var angles = outer(positions, inverseFrequency);                                                                   // (S, hd/2)
        var doubled = cat([angles, angles], -1);                                                                            // (S, hd)
        var cos = doubled.cos().to(x.dtype);
        var sin = doubled.sin().to(x.dtype);
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);                                         // (B, H, S, hd)
        return (x * cos).add(rotated * sin, Scalars.One).MoveToOuterDisposeScope();
    }
}
