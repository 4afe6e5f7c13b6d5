using ScaleLab.Core.Runs;

namespace ScaleLab.Reports.Data;

/// <summary>The learning curve of one run, labelled for the legend. Steps is empty for runs written before step records.</summary>
public sealed record RunCurves(string Label, IReadOnlyList<EpochMetrics> Epochs)
{
    public IReadOnlyList<StepMetrics> Steps { get; init; } = [];
}

/// <summary>One compressed variant of a model: test accuracy, bytes on disk, and measured latency (seconds per batch or per sample, as labelled by the caller).</summary>
public sealed record CompressionPoint(string Label, double Accuracy, long Bytes, double LatencySeconds);

/// <summary>An estimate beside its measurement (step time in seconds, memory in bytes, ...).</summary>
public sealed record EstimatePoint(string Label, double Estimated, double Measured);
