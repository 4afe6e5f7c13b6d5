using ScaleLab.Reports.Data;
using ScaleLab.Reports.Plots;

namespace ScaleLab.Reports;

/// <summary>The PNGs of one run directory, rendered after training (`scalelab train`) or on demand (`scalelab report RUN`).</summary>
public static class RunPlots
{
    /// <summary>
    /// Writes DIR/learning-curves.png from DIR/metrics.jsonl and, when DIR/confusion.json exists, DIR/confusion-matrix.png
    /// (each atomically: temp file + rename). Returns the paths written; none when the run has no finished epoch yet.
    /// </summary>
    public static IReadOnlyList<string> WriteForRun(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        return [.. RenderForRun(runDirectory).Select(p => p.Save(runDirectory))];
    }

    /// <summary>The same plots, in memory (for an HTML report).</summary>
    public static IReadOnlyList<PlotImage> RenderForRun(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        var images = new List<PlotImage>();
        var epochs = RunFileReader.ReadEpochs(Path.Combine(runDirectory, RunFileReader.MetricsFile));
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDirectory)));
        if (epochs.Count > 0) images.Add(LearningCurvePlot.Render([new RunCurves(name, epochs)], $"Learning curves: {name}"));
        var confusion = RunFileReader.ReadConfusion(Path.Combine(runDirectory, RunFileReader.ConfusionFile));
        if (confusion is not null) images.Add(ConfusionMatrixPlot.Render(confusion, $"Confusion matrix: {name}"));
        return images;
    }
}
