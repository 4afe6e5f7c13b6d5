namespace ScaleLab.Torch.Compression;

/// <summary>How one tensor is stored in a compressed model file.</summary>
public enum TensorEncoding
{
    /// <summary>Plain fp32, as in a normal checkpoint.</summary>
    Dense,

    /// <summary>int8 values + scales (+ zero-points when asymmetric): see <see cref="QuantizedTensor"/>.</summary>
    Int8,

    /// <summary>Packed int4 values + fp16 group scales (+ packed 4-bit zero-points when asymmetric).</summary>
    Int4,

    /// <summary>Bitmask + kept fp32 values: see <see cref="SparseTensor"/>.</summary>
    Sparse,

    /// <summary>Bitmask + kept values as int8 with one symmetric scale: pruning and quantization together.</summary>
    SparseInt8,
}

/// <summary>
/// The names of <see cref="TensorEncoding"/> in a compressed file's scalelab.encodings: one explicit map, so renaming a
/// member never changes a file, and a name outside it (Enum.TryParse would take "1") is refused.
/// </summary>
public static class TensorEncodingInfo
{
    public static IReadOnlyList<TensorEncoding> All { get; } =
        [TensorEncoding.Dense, TensorEncoding.Int8, TensorEncoding.Int4, TensorEncoding.Sparse, TensorEncoding.SparseInt8];

    public static string Name(this TensorEncoding encoding) => encoding switch
    {
        TensorEncoding.Dense => "Dense",
        TensorEncoding.Int8 => "Int8",
        TensorEncoding.Int4 => "Int4",
        TensorEncoding.Sparse => "Sparse",
        TensorEncoding.SparseInt8 => "SparseInt8",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
    };

    public static bool TryParse(string? text, out TensorEncoding encoding)
    {
        foreach (var e in All)
        {
            if (string.Equals(e.Name(), text, StringComparison.Ordinal))
            {
                encoding = e;
                return true;
            }
        }
        encoding = default;
        return false;
    }
}

/// <summary>What the compressor does to each prunable weight tensor; everything else (biases, norms) stays dense fp32.</summary>
public sealed record EncodingPlan(TensorEncoding Weights, QuantScheme Scheme = QuantScheme.Int8PerChannelSymmetric, int GroupSize = 64);
