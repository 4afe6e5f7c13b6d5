using ScaleLab.Reports.Data;

namespace ScaleLab.Reports;

/// <summary>
/// One compressed variant as the report data and the dashboard give it (the points of the Pareto plot): accuracy as a
/// fraction, bytes on disk, seconds per batch of 64.
/// </summary>
public sealed record CompressionVariantJson(string Label, double Accuracy, long FileBytes, double LatencyBatch64Seconds)
{
    public static CompressionVariantJson From(CompressionPoint p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Label, p.Accuracy, p.Bytes, p.LatencySeconds);
    }

    /// <summary>Every variant of a compression.json.</summary>
    public static IReadOnlyList<CompressionVariantJson> Read(string path) => [.. CompressionResultsReader.Read(path).Select(From)];
}
