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

/// <summary>What the compressor does to each prunable weight tensor; everything else (biases, norms) stays dense fp32.</summary>
public sealed record EncodingPlan(TensorEncoding Weights, QuantScheme Scheme = QuantScheme.Int8PerChannelSymmetric, int GroupSize = 64);
