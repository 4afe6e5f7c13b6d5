namespace ScaleLab.Experiments.Store;

/// <summary>
/// A sweep as stored: its name, the sweep spec JSON it was last submitted with, the sweep directory its trials' run
/// directories are under (null for stores written before schema 2) and how many attempts a failing trial gets.
/// </summary>
public sealed record SweepRecord(long Id, string Name, string? Description, string SpecJson, DateTime CreatedUtc, DateTime UpdatedUtc,
    string? Directory = null, int MaxAttempts = 2);

/// <summary>
/// What a sweep plans for one trial before it runs: the resolved model spec and training config (JSON), the axis
/// values that made it (JSON object, e.g. {"width":0.5}) and the estimator's figures for it.
/// </summary>
public sealed record TrialPlanRow(
    string Id,
    int Index,
    string Label,
    string AxesJson,
    string SpecJson,
    string ConfigJson,
    long EstimatedParameters,
    long ForwardFlopsPerSample,
    string RunDirectory);

/// <summary>
/// One trial row of results.db. Estimated* come from the estimator before the run; the rest from the run directory
/// (summary.json) once the trial process ends. Null means "not known yet" (or not applicable: no validation split).
/// SamplesSeen is training samples processed (for a language model, sequences; tokens = samples × sequence length).
/// </summary>
public sealed record TrialRecord
{
    public required string Id { get; init; }
    public required long SweepId { get; init; }
    public int Index { get; init; }
    public string Label { get; init; } = "";
    public string AxesJson { get; init; } = "{}";
    public string SpecJson { get; init; } = "";
    public string ConfigJson { get; init; } = "";
    public TrialStatus Status { get; init; }
    public string? Message { get; init; }
    public int Attempts { get; init; }
    public int? ProcessId { get; init; }

    /// <summary>The worker that claimed the trial last (null when run by `scalelab sweep` on one machine).</summary>
    public string? Worker { get; init; }

    /// <summary>Until when that worker's lease holds while the trial runs; a running trial past it is claimable again.</summary>
    public DateTime? LeaseExpiresUtc { get; init; }
    public string RunDirectory { get; init; } = "";

    public long EstimatedParameters { get; init; }
    public long ForwardFlopsPerSample { get; init; }

    public long? Parameters { get; init; }
    public int EpochsCompleted { get; init; }
    public long? Steps { get; init; }
    public double? SamplesSeen { get; init; }
    public double? TrainingFlops { get; init; }
    public double? StepSecondsMean { get; init; }
    public double? TrainSeconds { get; init; }
    public long? PeakRssBytes { get; init; }

    public double? FinalTrainLoss { get; init; }
    public double? FinalValLoss { get; init; }
    public double? FinalValAccuracy { get; init; }
    public int? BestEpoch { get; init; }
    public double? BestValLoss { get; init; }
    public double? TestLoss { get; init; }
    public double? TestAccuracy { get; init; }

    public DateTime QueuedUtc { get; init; }
    public DateTime? StartedUtc { get; init; }
    public DateTime? FinishedUtc { get; init; }

    /// <summary>Wall-clock time of the last attempt, when it has ended.</summary>
    public TimeSpan? WallTime => StartedUtc is { } s && FinishedUtc is { } f ? f - s : null;
}

/// <summary>One epoch of one trial (a row of the trial's metrics.jsonl).</summary>
public sealed record EpochRecord(
    string TrialId,
    int Epoch,
    long Step,
    double TrainLoss,
    double? TrainAccuracy,
    double? ValLoss,
    double? ValAccuracy,
    double Lr,
    double EpochSeconds,
    double SamplesPerSecond);

/// <summary>How a trial process ended, read from its run directory; written to the trial row in one transaction with its epochs.</summary>
public sealed record TrialOutcome
{
    public required TrialStatus Status { get; init; }
    public string? Message { get; init; }
    public long? Parameters { get; init; }
    public int EpochsCompleted { get; init; }
    public long? Steps { get; init; }
    public double? SamplesSeen { get; init; }
    public double? TrainingFlops { get; init; }
    public double? StepSecondsMean { get; init; }
    public double? TrainSeconds { get; init; }
    public long? PeakRssBytes { get; init; }
    public double? FinalTrainLoss { get; init; }
    public double? FinalValLoss { get; init; }
    public double? FinalValAccuracy { get; init; }
    public int? BestEpoch { get; init; }
    public double? BestValLoss { get; init; }
    public double? TestLoss { get; init; }
    public double? TestAccuracy { get; init; }
}
