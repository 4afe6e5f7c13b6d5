using ScaleLab.Core.Runs;
using System.Globalization;
using ScaleLab.Reports.Data;
using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>
/// Parallel coordinates: one vertical axis per sweep axis plus the metric, one line per trial coloured by the metric
/// (dark = low). Each axis is scaled to its own range (log when it spans more than 10×), its extremes written at its ends.
/// </summary>
public static class ParallelCoordinatesPlot
{
    public const string FileName = "parallel-coordinates.png";

    public static PlotImage Render(IReadOnlyList<TrialPoint> trials, string metricName, Func<TrialPoint, double?> metric)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(metric);
        string title = $"Sweep axes against {metricName}";
        using var plot = PlotCanvas.Create(title, "", "each axis scaled to its own range");
        var rows = trials.Where(t => metric(t) is { } m && double.IsFinite(m)).ToList();
        var names = rows.SelectMany(t => t.Axes.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        names.Add("parameters");
        var columns = names.Select(n => n == "parameters" && !rows.All(r => r.Axes.ContainsKey(n))
            ? rows.Select(r => (double?)r.Parameters).ToList()
            : rows.Select(r => r.Axes.TryGetValue(n, out double v) ? (double?)v : null).ToList()).ToList();
        names.Add(metricName);
        columns.Add([.. rows.Select(metric)]);
        if (rows.Count > 0)
        {
            var values = columns[^1].Select(v => v!.Value).ToList();
            var scale = new ColorScale(new ScottPlot.Colormaps.Viridis(), values.Min(), values.Max());
            var axes = columns.Select(Axis).ToList();
            for (int r = 0; r < rows.Count; r++)
            {
                var xs = new List<double>();
                var ys = new List<double>();
                for (int c = 0; c < columns.Count; c++)
                {
                    if (columns[c][r] is not { } v) continue;
                    xs.Add(c);
                    ys.Add(axes[c].Scale(v));
                }
                var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), scale.ColorOf(values[r]));
                line.LineWidth = 2;
            }
            for (int c = 0; c < columns.Count; c++)
            {
                plot.Add.VerticalLine(c, 1, Colors.Gray);
                Label(plot, PlotCanvas.Compact(axes[c].Max), c, 1.04);
                Label(plot, PlotCanvas.Compact(axes[c].Min), c, -0.04);
            }
            var bar = plot.Add.ColorBar(scale);
            bar.Label = metricName;
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, names.Count).Select(i => (double)i)], [.. names]);
        plot.Axes.Left.SetTicks([], []);
        plot.Axes.SetLimits(-0.3, Math.Max(names.Count - 1, 1) + 0.3, -0.1, 1.1);
        plot.HideGrid();
        return PlotCanvas.Render(plot, FileName, title);
    }

    private static void Label(Plot plot, string text, double x, double y)
    {
        var label = plot.Add.Text(text, x, y);
        label.LabelAlignment = Alignment.MiddleCenter;
        label.LabelFontSize = 11;
    }

    private sealed record AxisRange(double Min, double Max, bool Log)
    {
        public double Scale(double v)
        {
            if (Max <= Min) return 0.5;
            return Log ? (Math.Log(v) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min)) : (v - Min) / (Max - Min);
        }
    }

    private static AxisRange Axis(List<double?> column)
    {
        var present = column.Where(v => v is not null).Select(v => v!.Value).ToList();
        if (present.Count == 0) return new AxisRange(0, 0, false);
        double min = present.Min(), max = present.Max();
        return new AxisRange(min, max, min > 0 && max / min > 10);
    }
}
