using ScaleLab.Reports.Data;
using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>
/// Learning curves: loss (left) and accuracy (right) against epoch, side by side. One run shows train (solid) and
/// validation (dashed) in two colours; many runs get one colour each, train solid and validation dashed. A run with
/// step records draws its train loss through them (x = epochs done), so a two-epoch run has a curve, not two points.
/// </summary>
public static class LearningCurvePlot
{
    public const string FileName = "learning-curves.png";

    public static PlotImage Render(IReadOnlyList<RunCurves> runs, string title = "Learning curves")
    {
        ArgumentNullException.ThrowIfNull(runs);
        bool single = runs.Count == 1;
        string key = single ? "" : " — solid train, dashed validation";
        using var loss = PlotCanvas.Create(title + " (loss)", "epoch", "loss" + key);
        using var accuracy = PlotCanvas.Create(title + " (accuracy)", "epoch", "accuracy" + key);
        foreach (var plot in (Plot[])[loss, accuracy])
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        bool anyAccuracy = false;
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            double[] epochs = [.. run.Epochs.Select(e => (double)e.Epoch)];
            // One run: the legend names train and validation. Many runs: one legend entry per run (its train line), the
            // line style telling train from validation (said on the y axis), so the legend stays readable.
            string? trainLabel = single ? "train" : run.Label;
            string? valLabel = single ? "validation" : null;
            var trainColor = PlotCanvas.Palette.GetColor(single ? 0 : r);
            var valColor = PlotCanvas.Palette.GetColor(single ? 1 : r);
            var trainLoss = TrainLossSeries(run);
            Line(loss, [.. trainLoss.Select(p => p.X)], trainLoss.Select(p => (double?)p.Y), trainColor, false, trainLabel);
            Line(loss, epochs, run.Epochs.Select(e => e.ValLoss), valColor, true, valLabel);
            anyAccuracy |= Line(accuracy, epochs, run.Epochs.Select(e => e.TrainAccuracy), trainColor, false, trainLabel);
            anyAccuracy |= Line(accuracy, epochs, run.Epochs.Select(e => e.ValAccuracy), valColor, true, valLabel);
        }
        loss.ShowLegend(Alignment.UpperRight);
        var multiplot = new Multiplot();
        multiplot.Reset(loss);
        if (anyAccuracy)
        {
            accuracy.ShowLegend(Alignment.LowerRight);
            multiplot.AddPlot(accuracy);
            multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        }
        int width = anyAccuracy ? 1400 : PlotCanvas.Width;
        using var image = multiplot.Render(width, PlotCanvas.Height);
        return new PlotImage(FileName, title, image.GetImageBytes(ImageFormat.Png, 100), width, PlotCanvas.Height);
    }

    /// <summary>The train-loss line of a run: its step records when it has any, else one point per epoch.</summary>
    public static IReadOnlyList<(double X, double Y)> TrainLossSeries(RunCurves run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Steps.Count > 0
            ? [.. run.Steps.Select(s => (s.EpochsDone, s.TrainLoss))]
            : [.. run.Epochs.Select(e => ((double)e.Epoch, e.TrainLoss))];
    }

    private static bool Line(Plot plot, double[] epochs, IEnumerable<double?> values, Color color, bool dashed, string? label)
    {
        var pairs = epochs.Zip(values).Where(p => p.Second is { } v && double.IsFinite(v)).ToList();
        if (pairs.Count == 0) return false;
        double[] xs = [.. pairs.Select(p => p.First)], ys = [.. pairs.Select(p => p.Second!.Value)];
        var line = plot.Add.Scatter(xs, ys, color);
        if (label is not null) line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = pairs.Count <= 30 ? 6 : 0;
        if (dashed) line.LinePattern = LinePattern.Dashed;
        return true;
    }
}
