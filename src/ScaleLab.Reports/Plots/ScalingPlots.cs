using ScaleLab.Core.Runs;
using System.Globalization;
using ScaleLab.Core.Scaling;
using ScaleLab.Reports.Data;
using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>Scaling plots on log-log axes: loss against size with the fitted law and its band, the compute frontier, accuracy against parameters.</summary>
public static class ScalingPlots
{
    /// <summary>
    /// Measured losses against x (log-log), the fitted L(x) = E + A·x^(−α) over the measured range and up to
    /// <paramref name="extendTo"/>, its bootstrap band, and the floor E as a dotted line.
    /// </summary>
    public static PlotImage LossVsSize(IReadOnlyList<PowerLawPoint> points, PowerLawFit? fit, string xLabel, string yLabel, string fileName, string title, double? extendTo = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        using var plot = PlotCanvas.Create(title, xLabel + " (log scale)", yLabel + " (log scale)");
        double minX = points.Min(p => p.X), maxX = Math.Max(points.Max(p => p.X), extendTo ?? 0);
        double minY = points.Min(p => p.Loss), maxY = points.Max(p => p.Loss);
        if (fit is not null)
        {
            double[] xs = [.. Enumerable.Range(0, 80).Select(i => Math.Pow(10, Math.Log10(minX / 1.3) + (i / 79.0 * Math.Log10(maxX * 1.3 / (minX / 1.3)))))];
            var bands = xs.Select(fit.LossBand).ToArray();
            double[] lx = [.. xs.Select(Math.Log10)];
            var band = plot.Add.FillY(lx, [.. bands.Select(b => Math.Log10(b.Lower))], [.. bands.Select(b => Math.Log10(b.Upper))]);
            band.FillColor = PlotCanvas.Palette.GetColor(0).WithAlpha(0.2);
            band.LineWidth = 0;
            band.LegendText = string.Create(CultureInfo.InvariantCulture, $"{fit.ConfidenceLevel:0%} band (bootstrap)");
            var law = plot.Add.ScatterLine(lx, [.. xs.Select(x => Math.Log10(fit.Loss(x)))], PlotCanvas.Palette.GetColor(0));
            law.LineWidth = 2.5f;
            law.LegendText = Describe(fit);
            // The axis follows the measurements: a band that explodes outside them, or a floor E near 0, would otherwise
            // stretch it over many decades and flatten what was measured into a line.
            double dataMin = minY, dataMax = maxY;
            minY = Math.Max(Math.Min(minY, bands.Min(b => b.Lower)), dataMin / 2.5);
            maxY = Math.Min(Math.Max(maxY, bands.Max(b => b.Upper)), dataMax * 2.5);
            if (fit.E.Estimate >= dataMin / 2.5)
            {
                var floor = plot.Add.HorizontalLine(Math.Log10(fit.E.Estimate), 1.5f, Colors.Gray, LinePattern.Dotted);
                floor.LegendText = string.Create(CultureInfo.InvariantCulture, $"floor E = {fit.E.Estimate:G3}");
                minY = Math.Min(minY, fit.E.Estimate);
            }
        }
        var measured = plot.Add.ScatterPoints(points.Select(p => Math.Log10(p.X)).ToArray(), points.Select(p => Math.Log10(p.Loss)).ToArray(), PlotCanvas.Palette.GetColor(1));
        measured.MarkerSize = 9;
        measured.LegendText = "measured";
        PlotCanvas.LogTicks(plot.Axes.Bottom, minX / 1.3, maxX * 1.3);
        PlotCanvas.LogTicks(plot.Axes.Left, minY / 1.05, maxY * 1.05);
        plot.Axes.SetLimitsY(Math.Log10(minY / 1.05), Math.Log10(maxY * 1.05));
        plot.ShowLegend(Alignment.UpperRight);
        return PlotCanvas.Render(plot, fileName, title);
    }

    /// <summary>"L = 0.25 + 30·N^−0.35": the fitted law for a legend.</summary>
    public static string Describe(PowerLawFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return string.Create(CultureInfo.InvariantCulture, $"fit: L = {fit.E.Estimate:G3} + {fit.A.Estimate:G3}·x^-{fit.Alpha.Estimate:G3}");
    }

    /// <summary>
    /// Validation loss against training FLOPs spent so far, one faded curve per trial (FLOPs per epoch = the trial's
    /// training FLOPs / epochs), and the compute-efficient frontier: the lowest loss any trial reached for at most that
    /// many FLOPs (the lower envelope of Kaplan et al. 2020, Fig. 1 / Hoffmann et al. 2022, Fig. 2).
    /// </summary>
    public static PlotImage LossVsCompute(IReadOnlyList<TrialPoint> trials, string fileName = "loss-vs-flops.png")
    {
        using var plot = BuildLossVsCompute(trials);
        return PlotCanvas.Render(plot, fileName, LossVsComputeTitle);
    }

    private const string LossVsComputeTitle = "Validation loss vs training compute";

    /// <summary>Width of the frontier line: thinner than a trial's segments, which are drawn over it.</summary>
    internal const float FrontierLineWidth = 1.5f;

    /// <summary>Width of a trial's segments.</summary>
    internal const float TrialLineWidth = 2;

    /// <summary>
    /// The plot of <see cref="LossVsCompute"/>. The frontier runs along the trials' own segments, so it is drawn first
    /// and thinner, in grey: a trial's segment that is on the frontier stays visible on top of it rather than hidden under it.
    /// </summary>
    internal static Plot BuildLossVsCompute(IReadOnlyList<TrialPoint> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var plot = PlotCanvas.Create(LossVsComputeTitle, "training FLOPs (log scale)", "validation loss (log scale)");
        var curves = new List<(int Index, string Label, List<(double Flops, double Loss)> Curve)>();
        for (int i = 0; i < trials.Count; i++)
        {
            var t = trials[i];
            var epochs = t.Epochs.Where(e => e.ValLoss is > 0).ToList();
            if (t.TrainingFlops is not > 0 || epochs.Count == 0) continue;
            double perEpoch = t.TrainingFlops.Value / Math.Max(t.Epochs.Max(e => e.Epoch), 1);
            curves.Add((i, t.Label, [.. epochs.Select(e => (Flops: perEpoch * e.Epoch, Loss: e.ValLoss!.Value))]));
        }
        var all = curves.SelectMany(c => c.Curve).ToList();
        if (all.Count > 0)
        {
            var frontier = new List<(double Flops, double Loss)>();
            foreach (var p in all.OrderBy(p => p.Flops))
                if (frontier.Count == 0 || p.Loss < frontier[^1].Loss) frontier.Add(p);
            var line = plot.Add.ScatterLine(frontier.Select(f => Math.Log10(f.Flops)).ToArray(), frontier.Select(f => Math.Log10(f.Loss)).ToArray(), Colors.Gray);
            line.LineWidth = FrontierLineWidth;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "compute-efficient frontier";
            PlotCanvas.LogTicks(plot.Axes.Bottom, all.Min(p => p.Flops) / 1.3, all.Max(p => p.Flops) * 1.3);
            PlotCanvas.LogTicks(plot.Axes.Left, all.Min(p => p.Loss) / 1.05, all.Max(p => p.Loss) * 1.05);
        }
        foreach (var (index, label, curve) in curves)
        {
            var line = plot.Add.Scatter(curve.Select(c => Math.Log10(c.Flops)).ToArray(), curve.Select(c => Math.Log10(c.Loss)).ToArray(), PlotCanvas.Palette.GetColor(index % 10).WithAlpha(0.8));
            line.LegendText = label;
            line.LineWidth = TrialLineWidth;
            line.MarkerSize = 5;
        }
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Validation (and test, where measured) accuracy against parameters, x on a log scale.</summary>
    public static PlotImage AccuracyVsParameters(IReadOnlyList<TrialPoint> trials, string fileName = "accuracy-vs-params.png")
    {
        ArgumentNullException.ThrowIfNull(trials);
        const string title = "Accuracy vs parameters";
        using var plot = PlotCanvas.Create(title, "parameters (log scale)", "accuracy");
        var sorted = trials.Where(t => t.Parameters > 0).OrderBy(t => t.Parameters).ToList();
        void Series(Func<TrialPoint, double?> pick, string label, int color)
        {
            var rows = sorted.Where(t => pick(t) is not null).ToList();
            if (rows.Count == 0) return;
            var s = plot.Add.Scatter(rows.Select(t => Math.Log10(t.Parameters)).ToArray(), rows.Select(t => pick(t)!.Value).ToArray(), PlotCanvas.Palette.GetColor(color));
            s.LegendText = label;
            s.MarkerSize = 9;
            s.LineWidth = 1.5f;
        }
        Series(t => t.ValAccuracy, "validation (best epoch)", 0);
        Series(t => t.TestAccuracy, "test (final weights)", 2);
        if (sorted.Count > 0) PlotCanvas.LogTicks(plot.Axes.Bottom, sorted[0].Parameters / 1.3, sorted[^1].Parameters * 1.3);
        plot.ShowLegend(Alignment.LowerRight);
        return PlotCanvas.Render(plot, fileName, title);
    }
}
