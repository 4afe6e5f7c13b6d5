namespace ScaleLab.Reports.Data;

/// <summary>One epoch of one run (a line of metrics.jsonl). Accuracy and validation figures are null when the task or split has none.</summary>
public sealed record EpochPoint(int Epoch, double TrainLoss, double? TrainAccuracy, double? ValLoss, double? ValAccuracy);

/// <summary>A step record of one run (a line of steps.jsonl): EpochsDone places it on the epoch axis (1.5 = halfway through epoch 2).</summary>
public sealed record StepPoint(double EpochsDone, double TrainLoss);

/// <summary>The learning curve of one run, labelled for the legend. Steps is empty for runs written before step records.</summary>
public sealed record RunCurves(string Label, IReadOnlyList<EpochPoint> Epochs)
{
    public IReadOnlyList<StepPoint> Steps { get; init; } = [];
}

/// <summary>Counts[t][p]: samples of true class t predicted as p (rows true, columns predicted, as scikit-learn). Labels may be empty (class numbers are shown).</summary>
public sealed record ConfusionMatrix(IReadOnlyList<IReadOnlyList<long>> Counts, IReadOnlyList<string> Labels)
{
    public int Classes => Counts.Count;

    public long Total => Counts.Sum(r => r.Sum());

    public double Accuracy => Total == 0 ? 0 : Enumerable.Range(0, Classes).Sum(i => Counts[i][i]) / (double)Total;
}

/// <summary>
/// One trial of a sweep as the plots and the fit need it. Loss and accuracy are validation figures at the epoch with
/// the lowest validation loss (the checkpoint a sweep keeps); SamplesSeen is training samples processed (for a
/// language model, sequences). Axes holds the sweep axis values that made the trial (numeric ones only).
/// </summary>
public sealed record TrialPoint
{
    public required string Id { get; init; }
    public string Label { get; init; } = "";
    public string Status { get; init; } = "completed";
    public long Parameters { get; init; }
    public long EstimatedParameters { get; init; }
    public double? TrainingFlops { get; init; }
    public double? SamplesSeen { get; init; }
    public double? ValLoss { get; init; }
    public double? ValAccuracy { get; init; }
    public double? TestAccuracy { get; init; }
    public double? StepSecondsMean { get; init; }
    public double? TrainSeconds { get; init; }
    public long? PeakRssBytes { get; init; }

    /// <summary>Estimated training FLOPs of one step (3 × forward FLOPs per sample × batch), when known.</summary>
    public double? EstimatedStepFlops { get; init; }

    /// <summary>Estimated peak training memory in bytes (weights, gradients, optimizer state, activations), when known.</summary>
    public long? EstimatedTrainingBytes { get; init; }

    public IReadOnlyDictionary<string, double> Axes { get; init; } = new Dictionary<string, double>();
    public IReadOnlyList<EpochPoint> Epochs { get; init; } = [];
}

/// <summary>One compressed variant of a model: test accuracy, bytes on disk, and measured latency (seconds per batch or per sample, as labelled by the caller).</summary>
public sealed record CompressionPoint(string Label, double Accuracy, long Bytes, double LatencySeconds);

/// <summary>An estimate beside its measurement (step time in seconds, memory in bytes, ...).</summary>
public sealed record EstimatePoint(string Label, double Estimated, double Measured);
