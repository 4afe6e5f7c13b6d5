namespace ScaleLab.Core.Accounting;

/// <summary>
/// How a model is trained, for the memory estimate. <see cref="MixedPrecision"/>: 16-bit weights, gradients and
/// activations at <see cref="Precision"/> (bf16 when that is fp32) with an fp32 master copy and fp32 optimizer state
/// (Micikevicius et al. 2018).
/// </summary>
public sealed record TrainingMemoryOptions(
    Precision Precision = Precision.Fp32,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    bool MixedPrecision = false,
    long Batch = 1);

/// <summary>Training memory by category, in bytes, for one step at the options' batch size.</summary>
public sealed record TrainingMemory(
    long WeightBytes,
    long GradientBytes,
    long OptimizerStateBytes,
    long MasterWeightBytes,
    long ActivationBytes,
    long BufferBytes,
    long TotalBytes)
{
    /// <summary>Weights + gradients + optimizer state + master weights: what ZeRO (Rajbhandari et al. 2020) calls model states.</summary>
    public long ModelStateBytes => checked(WeightBytes + GradientBytes + OptimizerStateBytes + MasterWeightBytes);
}

/// <summary>How a model is served: weight precision, concurrent sequences, and tokens held in the KV cache.</summary>
public sealed record InferenceMemoryOptions(Precision Precision = Precision.Fp16, long Batch = 1, long? Context = null);

/// <summary>Inference memory in bytes: weights (buffers included), the KV cache of a decoder, and the peak live activations.</summary>
public sealed record InferenceMemory(long WeightBytes, long KvCacheBytes, long ActivationBytes, long TotalBytes);

/// <summary>A MoE checkpoint with MXFP4 routed-expert weights and bf16 elsewhere (<see cref="MemoryEstimator.Mxfp4ExpertsDiskBytes"/>).</summary>
public sealed record Mxfp4ExpertStorage(long ExpertWeights, long Bytes);
