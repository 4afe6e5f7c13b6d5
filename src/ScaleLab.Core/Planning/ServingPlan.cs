using ScaleLab.Core.Accounting;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Serving a model at context <see cref="Context"/> with <see cref="Batch"/> sequences decoding together, on
/// <see cref="Gpus"/> devices that split the weights and the cache evenly (tensor parallel).
/// </summary>
/// <param name="KvCacheBytesPerSequence">One sequence's K and V at the full context, every layer.</param>
/// <param name="MaxBatch">The most sequences whose caches fit beside the weights; null when the model keeps no cache.</param>
/// <param name="BytesReadPerStep">Weights read in one decode step (all but the embedding rows not looked up; for mixture of experts only the experts the batch is expected to touch) plus every sequence's cache.</param>
/// <param name="FlopsPerToken">2 FLOPs per active parameter (embedding lookup excluded) + QKᵀ and AV over the context.</param>
/// <param name="ComputeFormat">The format the matmuls run in (int4 weights are dequantized and multiplied in 16 bits).</param>
/// <param name="Formats">Block-format weights and a scaled KV cache, when asked (--precision q4_k_m, --kv-precision int8 …).</param>
public sealed record ServingPlan(
    Precision WeightPrecision,
    Precision KvPrecision,
    long Context,
    long Batch,
    int Gpus,
    long WeightBytes,
    long KvCacheBytesPerSequence,
    long CapacityBytes,
    long? MaxBatch,
    double BytesReadPerStep,
    double FlopsPerToken,
    ComputeFormat ComputeFormat,
    double BandwidthBytesPerSecond,
    double PeakFlopsPerSecond,
    ServingFormats? Formats = null)
{
    /// <summary>What --precision named: a plain precision or a storage recipe (q4_k_m, mxfp4, awq-g128 …).</summary>
    public string WeightFormatName => Formats?.Weights?.Recipe ?? WeightPrecision.Name();

    /// <summary>What the cache is stored in: a plain precision or a scaled format (int8 with per-head scales, q8_0 …).</summary>
    public string KvFormatName => Formats?.Kv?.Name ?? KvPrecision.Name();

    public long KvCacheBytes => checked(KvCacheBytesPerSequence * Batch);

    public long TotalBytes => checked(WeightBytes + KvCacheBytes);

    public bool Fits => TotalBytes <= CapacityBytes;

    /// <summary>Decode tokens/s if every step streams its bytes at peak bandwidth: Batch / (bytes / bandwidth).</summary>
    public double MemoryBoundTokensPerSecond => Batch * BandwidthBytesPerSecond / BytesReadPerStep;

    /// <summary>Decode tokens/s if the matmul units ran at peak: peak / FLOPs per token.</summary>
    public double ComputeBoundTokensPerSecond => PeakFlopsPerSecond / FlopsPerToken;

    /// <summary>Neither bound can be beaten: the smaller is the ceiling (the roofline, Williams et al. 2009).</summary>
    public double TokensPerSecondUpperBound => Math.Min(MemoryBoundTokensPerSecond, ComputeBoundTokensPerSecond);

    public bool IsMemoryBound => MemoryBoundTokensPerSecond <= ComputeBoundTokensPerSecond;
}
