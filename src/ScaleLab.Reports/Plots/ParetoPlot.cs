using System.Globalization;
using ScaleLab.Reports.Data;
using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>
/// Compression trade-offs: accuracy against bytes on disk (log scale), point colour by latency (dark = fast) and point
/// size growing with latency; the Pareto front (no other variant is both smaller and at least as accurate) is joined.
/// </summary>
public static class ParetoPlot
{
    public const string FileName = "pareto.png";

    public static PlotImage Render(IReadOnlyList<CompressionPoint> points, string latencyUnit = "ms per batch", string title = "Compression: accuracy vs size vs latency")
    {
        ArgumentNullException.ThrowIfNull(points);
        using var plot = PlotCanvas.Create(title, "bytes on disk (log scale)", "test accuracy");
        var kept = points.Where(p => p.Bytes > 0 && double.IsFinite(p.Accuracy)).ToList();
        if (kept.Count > 0)
        {
            var front = Front(kept);
            var line = plot.Add.ScatterLine(front.Select(p => Math.Log10(p.Bytes)).ToArray(), front.Select(p => p.Accuracy).ToArray(), Colors.Gray);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "Pareto front";
            double lo = kept.Min(p => p.LatencySeconds), hi = kept.Max(p => p.LatencySeconds);
            double factor = latencyUnit.StartsWith("ms", StringComparison.Ordinal) ? 1000 : 1;
            var scale = new ColorScale(new ScottPlot.Colormaps.Viridis(), lo * factor, hi * factor);
            float largest = 0;
            foreach (var p in kept)
            {
                float size = hi > lo ? 8 + (float)(14 * (p.LatencySeconds - lo) / (hi - lo)) : 12;
                largest = Math.Max(largest, size);
                plot.Add.Marker(Math.Log10(p.Bytes), p.Accuracy, MarkerShape.FilledCircle, size, scale.ColorOf(p.LatencySeconds * factor));
            }
            var bar = plot.Add.ColorBar(scale);
            bar.Label = "latency (" + latencyUnit + ")";
            PlotCanvas.LogTicks(plot.Axes.Bottom, kept.Min(p => p.Bytes) / 1.5, kept.Max(p => p.Bytes) * 1.5);
            double minAcc = kept.Min(p => p.Accuracy), maxAcc = kept.Max(p => p.Accuracy), pad = Math.Max((maxAcc - minAcc) * 0.15, 0.005);
            plot.Axes.SetLimitsY(minAcc - pad, maxAcc + pad);
            plot.ShowLegend(Alignment.LowerRight);
            PointLabels.Add(plot, [.. kept.Select(p => (p.Label, Math.Log10(p.Bytes), p.Accuracy))], largest, fontSize: 11);
        }
        return PlotCanvas.Render(plot, FileName, title);
    }

    /// <summary>Variants no other variant beats on both size (smaller or equal) and accuracy (higher or equal), by size.</summary>
    public static IReadOnlyList<CompressionPoint> Front(IReadOnlyList<CompressionPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var front = new List<CompressionPoint>();
        foreach (var p in points.OrderBy(p => p.Bytes).ThenByDescending(p => p.Accuracy))
            if (front.Count == 0 || p.Accuracy > front[^1].Accuracy) front.Add(p);
        return front;
    }
}
