using System.Globalization;
using ScaleLab.Reports.Data;
using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>Measured against estimated, log-log, with the line a perfect estimate would sit on.</summary>
public static class EstimatePlot
{
    /// <param name="ratioLabel">
    /// When the two quantities have different units (estimated step FLOPs vs measured seconds), the reference line is
    /// measured = estimated / k at the median ratio k, and this names k (e.g. "achieved FLOP/s"); null draws y = x.
    /// </param>
    public static PlotImage Render(IReadOnlyList<EstimatePoint> points, string title, string estimatedLabel, string measuredLabel, string fileName, string? ratioLabel = null)
    {
        var (plot, _) = Build(points, title, estimatedLabel, measuredLabel, ratioLabel);
        using (plot) return PlotCanvas.Render(plot, fileName, title);
    }

    /// <summary>The plot before rendering (the caller disposes it), with where each point label went (points whose label found no free place are left unlabelled).</summary>
    internal static (Plot Plot, IReadOnlyList<PlacedLabel> Labels) Build(IReadOnlyList<EstimatePoint> points, string title, string estimatedLabel, string measuredLabel, string? ratioLabel = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        IReadOnlyList<PlacedLabel> labels = [];
        var plot = PlotCanvas.Create(title, estimatedLabel + " (log scale)", measuredLabel + " (log scale)");
        var kept = points.Where(p => p.Estimated > 0 && p.Measured > 0).ToList();
        if (kept.Count > 0)
        {
            double ratio = 1;
            string lineLabel = "measured = estimated";
            if (ratioLabel is not null)
            {
                double[] ratios = [.. kept.Select(p => p.Estimated / p.Measured).Order()];
                ratio = ratios[ratios.Length / 2];
                lineLabel = string.Create(CultureInfo.InvariantCulture, $"median {ratioLabel}: {PlotCanvas.Compact(ratio)}");
            }
            double lo = Math.Min(kept.Min(p => p.Estimated), kept.Min(p => p.Measured * ratio)) / 1.5;
            double hi = Math.Max(kept.Max(p => p.Estimated), kept.Max(p => p.Measured * ratio)) * 1.5;
            var line = plot.Add.ScatterLine(new[] { Math.Log10(lo), Math.Log10(hi) }, new[] { Math.Log10(lo / ratio), Math.Log10(hi / ratio) }, Colors.Gray);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = lineLabel;
            var dots = plot.Add.ScatterPoints(kept.Select(p => Math.Log10(p.Estimated)).ToArray(), kept.Select(p => Math.Log10(p.Measured)).ToArray(), PlotCanvas.Palette.GetColor(0));
            dots.MarkerSize = 9;
            dots.LegendText = "trials";
            // The reference line spans both the points and where a perfect estimate would put them: tick that whole range.
            PlotCanvas.LogTicks(plot.Axes.Bottom, lo, hi);
            PlotCanvas.LogTicks(plot.Axes.Left, lo / ratio, hi / ratio);
            plot.ShowLegend(Alignment.LowerRight);
            labels = PointLabels.Add(plot, [.. kept.Select(p => (p.Label, Math.Log10(p.Estimated), Math.Log10(p.Measured)))], dots.MarkerSize);
            return (plot, labels);
        }
        plot.ShowLegend(Alignment.LowerRight);
        return (plot, labels);
    }
}
