namespace ScaleLab.Torch.Compression;

/// <summary>How a weight matrix was quantized.</summary>
public enum QuantScheme
{
    /// <summary>int8, one scale for the whole tensor, zero-point 0.</summary>
    Int8PerTensorSymmetric,

    /// <summary>int8, one scale and zero-point for the whole tensor.</summary>
    Int8PerTensorAsymmetric,

    /// <summary>int8, one scale per output channel (row), zero-point 0. The default: per-channel keeps accuracy.</summary>
    Int8PerChannelSymmetric,

    /// <summary>int8, one scale and zero-point per output channel.</summary>
    Int8PerChannelAsymmetric,

    /// <summary>int4, one fp16 scale per group of <see cref="QuantizedTensor.GroupSize"/> consecutive weights of a row, zero-point 0.</summary>
    Int4GroupSymmetric,

    /// <summary>int4 (unsigned 0..15), fp16 scale and a 4-bit zero-point per group.</summary>
    Int4GroupAsymmetric,
}

/// <summary>
/// The names of <see cref="QuantScheme"/> in a compressed file's scalelab.encodings and in compression.json's steps: one
/// explicit map, so renaming a member never changes a file, and a name outside it (Enum.TryParse would take "7") is refused.
/// </summary>
public static class QuantSchemeInfo
{
    /// <summary>Symmetric schemes store no zero-points (they are all 0).</summary>
    public static bool IsSymmetric(QuantScheme scheme) =>
        scheme is QuantScheme.Int8PerTensorSymmetric or QuantScheme.Int8PerChannelSymmetric or QuantScheme.Int4GroupSymmetric;

    /// <summary>int8 per tensor: one scale for the whole tensor.</summary>
    public static bool IsPerTensor(QuantScheme scheme) =>
        scheme is QuantScheme.Int8PerTensorSymmetric or QuantScheme.Int8PerTensorAsymmetric;

    private static readonly (QuantScheme Scheme, string Name)[] Names =
    [
        (QuantScheme.Int8PerTensorSymmetric, "Int8PerTensorSymmetric"),
        (QuantScheme.Int8PerTensorAsymmetric, "Int8PerTensorAsymmetric"),
        (QuantScheme.Int8PerChannelSymmetric, "Int8PerChannelSymmetric"),
        (QuantScheme.Int8PerChannelAsymmetric, "Int8PerChannelAsymmetric"),
        (QuantScheme.Int4GroupSymmetric, "Int4GroupSymmetric"),
        (QuantScheme.Int4GroupAsymmetric, "Int4GroupAsymmetric"),
    ];

    public static string Name(this QuantScheme scheme)
    {
        foreach (var (s, name) in Names)
            if (s == scheme) return name;
        throw new ArgumentOutOfRangeException(nameof(scheme), scheme, null);
    }

    public static bool TryParse(string? text, out QuantScheme scheme)
    {
        foreach (var (s, name) in Names)
        {
            if (string.Equals(name, text, StringComparison.Ordinal))
            {
                scheme = s;
                return true;
            }
        }
        scheme = default;
        return false;
    }
}

/// <summary>
/// A quantized weight tensor, viewed as a matrix of <see cref="Rows"/> output channels × <see cref="Columns"/>
/// inputs (a conv weight (O, I, kh, kw) is O × I·kh·kw). Dequantized value = scale · (q − zero).
/// </summary>
/// <param name="Values">int8 schemes: one signed byte per weight (stored as its two's-complement byte).
/// int4 schemes: two weights a byte, the first in the low nibble; symmetric int4 stores q + 8 (so −8..7 → 0..15).</param>
/// <param name="Scales">Per tensor: 1; per channel: Rows; per group: Rows · ceil(Columns / GroupSize).</param>
/// <param name="ZeroPoints">Same count as Scales; all zero for symmetric schemes.</param>
public sealed record QuantizedTensor(
    QuantScheme Scheme,
    long[] Shape,
    long Rows,
    long Columns,
    int GroupSize,
    byte[] Values,
    float[] Scales,
    int[] ZeroPoints)
{
    public bool IsInt4 => Scheme is QuantScheme.Int4GroupSymmetric or QuantScheme.Int4GroupAsymmetric;

    public long Elements => Rows * Columns;
}
