namespace ScaleLab.Torch.Compression;

/// <summary>
/// One tensor in its compressed form, independent of any file layout: ScaleLab's own file and the compressed-tensors
/// checkpoint are both written from these, so the two files hold the same integers and scales, never a re-quantization.
/// Exactly one of the parts is set, by <see cref="Encoding"/>: Dense → <see cref="Dense"/>; Int8/Int4 →
/// <see cref="Quantized"/>; Sparse → <see cref="Sparse"/>; SparseInt8 → <see cref="Sparse"/> (mask) and
/// <see cref="Quantized"/> (the kept values as a 1 × kept per-tensor symmetric int8 row).
/// </summary>
public sealed record EncodedTensor(string Name, long[] Shape, TensorEncoding Encoding)
{
    public float[]? Dense { get; init; }

    public QuantizedTensor? Quantized { get; init; }

    public SparseTensor? Sparse { get; init; }

    public long Elements => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>Encodes fp32 values the way <see cref="CompressedModelFile.Entry"/> asks.</summary>
    public static EncodedTensor Encode(CompressedModelFile.Entry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var encoded = new EncodedTensor(e.Name, e.Shape, e.Encoding);
        switch (e.Encoding)
        {
            case TensorEncoding.Dense:
                return encoded with { Dense = e.Values };
            case TensorEncoding.Int8 or TensorEncoding.Int4:
                return encoded with { Quantized = WeightQuantizer.Quantize(e.Values, e.Shape, e.Scheme, e.GroupSize) };
            case TensorEncoding.Sparse:
                return encoded with { Sparse = SparseTensor.FromDense(e.Values, e.Shape) };
            default:
                {
                    var sparse = SparseTensor.FromDense(e.Values, e.Shape);
                    var q = WeightQuantizer.Quantize(sparse.Values, [1, sparse.Kept], QuantScheme.Int8PerTensorSymmetric);
                    return encoded with { Sparse = sparse, Quantized = q };
                }
        }
    }

    /// <summary>The fp32 values a reader gets back (what ScaleLab evaluates).</summary>
    public float[] Decode() => Encoding switch
    {
        TensorEncoding.Dense => Dense!,
        TensorEncoding.Int8 or TensorEncoding.Int4 => WeightQuantizer.Dequantize(Quantized!),
        TensorEncoding.Sparse => Sparse!.ToDense(),
        _ => (Sparse! with { Values = WeightQuantizer.Dequantize(Quantized!) }).ToDense(),
    };
}
