using System.Text.Json.Serialization;

namespace ScaleLab.Core.Runs;

/// <summary>How a run ended: the "status" of summary.json.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
/// <summary>Failed: stopped by an error (a full disk, bad data found late); the summary's message says which.</summary>
public enum RunStatus { Running, Completed, Diverged, EarlyStopped, Failed }

/// <summary>The best epoch by validation loss.</summary>
public sealed record BestEpoch(int Epoch, double ValLoss);

/// <summary>Test-split figures of the final weights (a subset of the evaluator's result, for summary.json).</summary>
public sealed record TestMetrics(long Samples, double Loss, double? Accuracy, double? TopK, int K, double? MacroF1, double? Perplexity, double? R2);

/// <summary>
/// summary.json: how the run ended, what it cost and what it reached. Parameters is counted on the built module;
/// EstimatedParameters, ForwardFlopsPerSample and TrainingFlops come from the estimator (ModelAccounting).
/// TrainingFlops = 3 × forward FLOPs per sample × samples seen (Kaplan et al. 2020, §2.1).
/// </summary>
public sealed record RunSummary
{
    public RunStatus Status { get; init; }
    public string? Message { get; init; }
    public int EpochsCompleted { get; init; }
    public long Steps { get; init; }

    /// <summary>Training samples processed (for a language model, sequences: tokens = samples × sequence length).</summary>
    public long? SamplesSeen { get; init; }
    public long Parameters { get; init; }
    public long? EstimatedParameters { get; init; }
    public long? ForwardFlopsPerSample { get; init; }
    public double? TrainingFlops { get; init; }
    public double StepSecondsMean { get; init; }
    public double TrainSeconds { get; init; }
    public long PeakRssBytes { get; init; }

    /// <summary>Step memory estimated and measured above the run's baseline (absent in summaries written before it).</summary>
    public RunMemory? Memory { get; init; }
    public EpochMetrics? Final { get; init; }
    public BestEpoch? Best { get; init; }
    public TestMetrics? Test { get; init; }
    public string RunDirectory { get; init; } = "";
}
