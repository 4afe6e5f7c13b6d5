namespace ScaleLab.Torch.Compression;

/// <summary>
/// Post-training weight quantization on plain arrays: round-to-nearest with min/max (absmax for symmetric) ranges,
/// the scheme of Jacob et al. 2018 ("Quantization and Training of Neural Networks for Efficient Integer-Arithmetic-Only
/// Inference", §2) applied per tensor, per output channel, or per group of a row (int4, as in GPTQ/AWQ's group-wise
/// storage). Dequantize(Quantize(w)) is what every quantized evaluation in ScaleLab runs on.
/// </summary>
public static class WeightQuantizer
{
    public static readonly int[] SupportedGroupSizes = [32, 64, 128];

    public static QuantizedTensor Quantize(float[] weights, long[] shape, QuantScheme scheme, int groupSize = 64)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(shape);
        long rows = shape.Length == 0 ? 1 : shape[0];
        long columns = rows == 0 ? 0 : weights.LongLength / rows;
        if (rows * columns != weights.LongLength)
            throw new ArgumentException($"{weights.Length} weights do not fill a {rows}-row matrix", nameof(weights));
        return scheme switch
        {
            QuantScheme.Int8PerTensorSymmetric or QuantScheme.Int8PerTensorAsymmetric =>
                QuantizeInt8(weights, shape, rows, columns, scheme, blocks: 1, blockLength: weights.LongLength),
            QuantScheme.Int8PerChannelSymmetric or QuantScheme.Int8PerChannelAsymmetric =>
                QuantizeInt8(weights, shape, rows, columns, scheme, blocks: rows, blockLength: columns),
            _ => QuantizeInt4(weights, shape, rows, columns, scheme, groupSize),
        };
    }

    /// <summary>Blocks are contiguous runs of the row-major weights sharing one scale (the tensor, or one row).</summary>
    private static QuantizedTensor QuantizeInt8(float[] w, long[] shape, long rows, long columns, QuantScheme scheme, long blocks, long blockLength)
    {
        bool symmetric = scheme is QuantScheme.Int8PerTensorSymmetric or QuantScheme.Int8PerChannelSymmetric;
        var values = new byte[w.LongLength];
        var scales = new float[blocks];
        var zeros = new int[blocks];
        for (long b = 0; b < blocks; b++)
        {
            var span = w.AsSpan((int)(b * blockLength), (int)blockLength);
            // Symmetric: q ∈ [−127, 127] (−128 unused so the range is symmetric); asymmetric: q ∈ [−128, 127] with a zero-point.
            var (scale, zero) = symmetric ? SymmetricRange(span, 127) : AsymmetricRange(span, -128, 127);
            scales[b] = scale;
            zeros[b] = zero;
            int lo = symmetric ? -127 : -128;
            for (int i = 0; i < span.Length; i++)
            {
                int q = Math.Clamp((int)MathF.Round(span[i] / scale) + zero, lo, 127);
                values[b * blockLength + i] = unchecked((byte)(sbyte)q);
            }
        }
        return new QuantizedTensor(scheme, shape, rows, columns, 0, values, scales, zeros);
    }

    private static QuantizedTensor QuantizeInt4(float[] w, long[] shape, long rows, long columns, QuantScheme scheme, int groupSize)
    {
        if (!SupportedGroupSizes.Contains(groupSize))
            throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize, "int4 group size must be 32, 64 or 128");
        bool symmetric = scheme == QuantScheme.Int4GroupSymmetric;
        long groupsPerRow = (columns + groupSize - 1) / groupSize;
        var scales = new float[rows * groupsPerRow];
        var zeros = new int[rows * groupsPerRow];
        var nibbles = new byte[w.LongLength];
        for (long r = 0; r < rows; r++)
        {
            for (long g = 0; g < groupsPerRow; g++)
            {
                long start = r * columns + g * groupSize;
                int length = (int)Math.Min(groupSize, columns - g * groupSize);
                var span = w.AsSpan((int)start, length);
                // Symmetric int4: q ∈ [−7, 7] stored +8; asymmetric: q ∈ [0, 15] with a zero-point.
                var (scale, zero) = symmetric ? SymmetricRange(span, 7) : AsymmetricRange(span, 0, 15);
                // Scales are stored as fp16 on disk; quantize against the value that will be read back.
                scale = (float)(Half)scale;
                if (scale == 0) scale = 1;
                long k = r * groupsPerRow + g;
                scales[k] = scale;
                zeros[k] = zero;
                for (int i = 0; i < length; i++)
                {
                    int q = symmetric
                        ? Math.Clamp((int)MathF.Round(span[i] / scale), -7, 7) + 8
                        : Math.Clamp((int)MathF.Round(span[i] / scale) + zero, 0, 15);
                    nibbles[start + i] = (byte)q;
                }
            }
        }
        return new QuantizedTensor(scheme, shape, rows, columns, groupSize, PackNibbles(nibbles), scales, zeros);
    }

    public static float[] Dequantize(QuantizedTensor q)
    {
        ArgumentNullException.ThrowIfNull(q);
        var result = new float[q.Elements];
        if (q.IsInt4)
        {
            bool symmetric = q.Scheme == QuantScheme.Int4GroupSymmetric;
            long groupsPerRow = (q.Columns + q.GroupSize - 1) / q.GroupSize;
            for (long i = 0; i < result.LongLength; i++)
            {
                long r = i / q.Columns, c = i % q.Columns;
                long k = r * groupsPerRow + c / q.GroupSize;
                int nibble = (q.Values[i >> 1] >> (int)((i & 1) * 4)) & 0xF;
                int value = symmetric ? nibble - 8 : nibble - q.ZeroPoints[k];
                result[i] = q.Scales[k] * value;
            }
            return result;
        }
        long blockLength = q.Scales.Length == 1 ? q.Elements : q.Columns;
        for (long i = 0; i < result.LongLength; i++)
        {
            long b = blockLength == 0 ? 0 : i / blockLength;
            result[i] = q.Scales[b] * ((sbyte)q.Values[i] - q.ZeroPoints[b]);
        }
        return result;
    }

    /// <summary>Two 4-bit values a byte, the first in the low nibble; an odd count leaves the last high nibble 0.</summary>
    public static byte[] PackNibbles(byte[] nibbles)
    {
        var packed = new byte[(nibbles.LongLength + 1) / 2];
        for (long i = 0; i < nibbles.LongLength; i++)
            packed[i >> 1] |= (byte)((nibbles[i] & 0xF) << (int)((i & 1) * 4));
        return packed;
    }

    private static (float Scale, int Zero) SymmetricRange(ReadOnlySpan<float> values, int qmax)
    {
        float absMax = 0;
        foreach (float v in values) absMax = MathF.Max(absMax, MathF.Abs(v));
        return (absMax == 0 ? 1f : absMax / qmax, 0);
    }

    private static (float Scale, int Zero) AsymmetricRange(ReadOnlySpan<float> values, int qmin, int qmax)
    {
        // The range always contains 0 so that exact zeros (pruned weights, padding) stay exact.
        float min = 0, max = 0;
        foreach (float v in values)
        {
            min = MathF.Min(min, v);
            max = MathF.Max(max, v);
        }
        if (max == min) return (1f, 0);
        float scale = (max - min) / (qmax - qmin);
        int zero = Math.Clamp((int)MathF.Round(qmin - min / scale), qmin, qmax);
        return (scale, zero);
    }
}
