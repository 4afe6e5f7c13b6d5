namespace ScaleLab.Torch.Measurement;

/// <summary>How `verify` trains: batch, timed steps after warm-up, sequence length for sequence models, seed, GEMM budget.</summary>
public sealed record VerifyOptions(int Batch = 32, int Steps = 20, int WarmupSteps = 3, long? SequenceLength = null, int Seed = 0, double GemmBudgetSeconds = 1.0);

/// <summary>
/// Estimated vs measured for one spec. Parameters must be equal. Step time and memory are compared with stated
/// tolerances: the estimated step time assumes every training FLOP runs at the measured GEMM peak (so utilisation =
/// estimated / measured time); peak memory must be within <see cref="MemoryTolerance"/> of the estimate, or within
/// <see cref="MemoryFloorBytes"/> for small models where allocator arenas and page granularity dominate.
/// </summary>
public sealed record VerificationResult(
    string Model,
    int Batch,
    long SequenceLength,
    long EstimatedParameters,
    long MeasuredParameters,
    double TrainingFlopsPerStep,
    StepTimes StepTimes,
    GemmMeasurement Peak,
    long EstimatedTrainingBytes,
    long MeasuredGrowthBytes,
    bool PeakWasReset,
    int Threads)
{
    /// <summary>Measured peak growth may differ from the estimate by this fraction of the estimate…</summary>
    public const double MemoryTolerance = 0.5;

    /// <summary>…or by this many bytes, whichever is larger (libtorch's CPU allocator and glibc arenas hold memory in MiB chunks).</summary>
    public const long MemoryFloorBytes = 32L << 20;

    public bool ParametersMatch => EstimatedParameters == MeasuredParameters;

    /// <summary>Training FLOPs per step (3 × forward, Kaplan et al. 2020 §2.1) over the median measured step time.</summary>
    public double AchievedFlopsPerSecond => TrainingFlopsPerStep / StepTimes.MedianSeconds;

    /// <summary>Achieved FLOP/s as a fraction of this machine's measured fp32 GEMM peak (MFU with a measured denominator).</summary>
    public double Utilisation => AchievedFlopsPerSecond / Peak.FlopsPerSecond;

    /// <summary>The step time if every training FLOP ran at the GEMM peak: a lower bound the measurement is compared to.</summary>
    public double EstimatedStepSeconds => TrainingFlopsPerStep / Peak.FlopsPerSecond;

    public double MemoryRatio => EstimatedTrainingBytes == 0 ? double.NaN : (double)MeasuredGrowthBytes / EstimatedTrainingBytes;

    public long MemoryAllowanceBytes => Math.Max((long)(EstimatedTrainingBytes * MemoryTolerance), MemoryFloorBytes);

    public bool MemoryWithinTolerance => Math.Abs(MeasuredGrowthBytes - EstimatedTrainingBytes) <= MemoryAllowanceBytes;
}
