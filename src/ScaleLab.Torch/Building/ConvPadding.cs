using ScaleLab.Core.Spec;

namespace ScaleLab.Torch.Building;

/// <summary>The padding a conv layer applies before and after each spatial dimension: one rule for the module and the ONNX export.</summary>
public static class ConvPadding
{
    /// <param name="input">The per-sample input (C, L) or (C, H, W).</param>
    public static (long[] Before, long[] After) Of(ConvLayer c, Shape input)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(input);
        var before = new long[c.Rank];
        var after = new long[c.Rank];
        for (int d = 0; d < c.Rank; d++)
        {
            long size = input[d + 1], k = c.Kernel[d], s = c.Stride[d], dil = c.Dilation[d];
            long span = (dil * (k - 1)) + 1;
            switch (c.PaddingMode)
            {
                case PaddingMode.Same:
                    // Keras/TensorFlow "same": output = ceil(size / stride), the odd pixel of padding goes after.
                    long total = Math.Max(((size + s - 1) / s - 1) * s + span - size, 0);
                    before[d] = total / 2;
                    after[d] = total - before[d];
                    break;
                case PaddingMode.Explicit:
                    before[d] = after[d] = c.Padding[d];
                    break;
            }
        }
        return (before, after);
    }
}
