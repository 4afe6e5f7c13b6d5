using ScaleLab.Core.Runs;
using ScaleLab.Reports.Data;
using ScaleLab.Reports.Plots;

namespace ScaleLab.Reports;

/// <summary>The PNGs of one run directory, rendered after training (`scalelab train`) or on demand (`scalelab report RUN`).</summary>
public static class RunPlots
{
    /// <summary>
    /// Writes DIR/learning-curves.png from DIR/metrics.jsonl (train loss from DIR/steps.jsonl when it has records) and, when DIR/confusion.json exists, DIR/confusion-matrix.png
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
        var curves = ReadCurves(runDirectory);
        if (curves.Epochs.Count > 0) images.Add(LearningCurvePlot.Render([curves], $"Learning curves: {curves.Label}"));
        var confusion = RunReader.ReadConfusion(new RunFiles(runDirectory));
        if (confusion is not null) images.Add(ConfusionMatrixPlot.Render(confusion, $"Confusion matrix: {curves.Label}"));
        return images;
    }

    /// <summary>The run's learning curves as the plot draws them: metrics.jsonl's epochs and steps.jsonl's records, labelled with the folder name.</summary>
    public static RunCurves ReadCurves(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDirectory)));
        var files = new RunFiles(runDirectory);
        return new RunCurves(name, RunReader.ReadEpochs(files)) { Steps = RunReader.ReadSteps(files) };
    }
}
