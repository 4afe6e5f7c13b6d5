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
        var inverseFrequency = pow(theta, -arange(0, headDim, 2, dtype: ScalarType.Float32, device: x.device) / headDim);   // (hd/2)
        var positions = arange(seq, dtype: ScalarType.Float32, device: x.device);                                           // (S)
        var angles = outer(positions, inverseFrequency);                                                                   // (S, hd/2)
        var doubled = cat([angles, angles], -1);                                                                            // (S, hd)
        var cos = doubled.cos().to(x.dtype);
        var sin = doubled.sin().to(x.dtype);
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);                                         // (B, H, S, hd)
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
