namespace ScaleLab.Core.Runs;

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
/// One trial as a store holds it: its plan, where it stands in the queue, and what its run reported (the run
/// directory's <see cref="RunSummary"/>; null until the trial process has ended with one).
/// </summary>
public sealed record TrialRecord
{
    public required TrialPlanRow Plan { get; init; }
    public required long SweepId { get; init; }
    public TrialStatus Status { get; init; }
    public string? Message { get; init; }
    public int Attempts { get; init; }
    public int? ProcessId { get; init; }

    /// <summary>The worker that claimed the trial last (null when run by `scalelab sweep` on one machine).</summary>
    public string? Worker { get; init; }

    /// <summary>Until when that worker's lease holds while the trial runs; a running trial past it is claimable again.</summary>
    public DateTime? LeaseExpiresUtc { get; init; }

    /// <summary>Epochs finished so far (while it runs, the epochs recorded; once ended, the run's own count).</summary>
    public int EpochsCompleted { get; init; }

    /// <summary>summary.json of the trial's run, as it was when the trial process ended.</summary>
    public RunSummary? Result { get; init; }

    public DateTime QueuedUtc { get; init; }
    public DateTime? StartedUtc { get; init; }
    public DateTime? FinishedUtc { get; init; }

    public string Id => Plan.Id;

    /// <summary>Wall-clock time of the last attempt, when it has ended.</summary>
    public TimeSpan? WallTime => StartedUtc is { } s && FinishedUtc is { } f ? f - s : null;
}
