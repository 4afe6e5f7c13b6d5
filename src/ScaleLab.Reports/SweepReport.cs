using ScaleLab.Core.Runs;
using System.Globalization;
using ScaleLab.Core.Formatting;
using ScaleLab.Core.Scaling;
using ScaleLab.Reports.Data;
using ScaleLab.Reports.Html;
using ScaleLab.Reports.Plots;

namespace ScaleLab.Reports;

/// <summary>
/// The HTML report of a sweep or a run directory (`scalelab report DIR`): the trials table, the scaling law over
/// parameters with its band and its meaning in words, loss vs compute with the frontier, accuracy vs parameters,
/// learning curves, measured vs estimated time and memory, the sweep's axes against the loss, and, when DIR holds a
/// compression.json, the Pareto plot. Figures in the tables are formatted as the CLI formats them
/// (<see cref="HumanUnits"/>: bytes in binary units, counts with SI prefixes), so a page and a terminal agree.
/// </summary>
public static class SweepReport
{
    /// <summary>The report of <paramref name="directory"/>, its trials read through <paramref name="sweeps"/> (the stores live in ScaleLab.Experiments).</summary>
    public static HtmlReport Build(string directory, ISweepSource sweeps, ScalingFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(sweeps);
        string compression = Path.Combine(directory, CompressionResultsReader.FileName);
        if (File.Exists(compression) && !sweeps.Holds(directory))
        {
            // `scalelab compress --out DIR` writes only compression.json and the models: a Pareto-only report.
            var only = new HtmlReport($"ScaleLab report: {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)))}");
            Compression(only, compression);
            return only;
        }
        return Build(sweeps.Load(directory), Path.GetFullPath(directory), options);
    }

    /// <summary>The report of trials already loaded (from a shared store).</summary>
    public static HtmlReport Build(SweepData sweep, ScalingFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return Build(sweep, sweep.Directory, options);
    }

    private static HtmlReport Build(SweepData sweep, string directory, ScalingFitOptions? options)
    {
        string compression = Path.Combine(directory, CompressionResultsReader.FileName);
        var report = new HtmlReport($"ScaleLab report: {sweep.Name}");
        report.Paragraph(F($"{sweep.Trials.Count} trial(s) read from {sweep.Source} in {directory}; {sweep.Completed.Count} completed."), "note");
        Trials(report, sweep);
        if (sweep.Trials.Count == 1 && sweep.Source == "run directory")
        {
            foreach (var image in RunPlots.RenderForRun(directory)) report.Image(image);
        }
        else
        {
            Law(report, sweep, options);
            Plots(report, sweep);
        }
        if (File.Exists(compression)) Compression(report, compression);
        return report;
    }

    private static void Compression(HtmlReport report, string path)
    {
        report.Section("Compression: accuracy vs bytes vs latency");
        var points = CompressionResultsReader.Read(path);
        report.Image(ParetoPlot.Render(points, "ms per batch of 64"));
        report.Table(["variant", "test accuracy", "bytes on disk", "latency (ms, batch 64)"],
            points.Select(p => (IReadOnlyList<string>)[p.Label, F($"{p.Accuracy:P2}"), HumanUnits.Bytes(p.Bytes), F($"{p.LatencySeconds * 1000:F3}")]));
    }

    private static void Trials(HtmlReport report, SweepData sweep)
    {
        report.Section("Trials");
        report.Table(["trial", "status", "parameters", "training FLOPs", "samples", "val loss (best)", "val accuracy", "test accuracy", "step (ms)", "peak RSS"],
            sweep.Trials.Select(t => (IReadOnlyList<string>)[
                t.Label, t.Status.ToText(), HumanUnits.Things(t.Parameters), Opt(t.TrainingFlops, v => HumanUnits.Count(v)),
                Opt(t.SamplesSeen, v => HumanUnits.Things(v)), Opt(t.ValLoss, v => F($"{v:F4}")), Opt(t.ValAccuracy, v => F($"{v:F4}")),
                Opt(t.TestAccuracy, v => F($"{v:F4}")), Opt(t.StepSecondsMean, v => F($"{v * 1000:F2}")),
                Opt(t.PeakRssBytes is long b ? b : null, HumanUnits.Bytes)]));
    }

    private static void Law(HtmlReport report, SweepData sweep, ScalingFitOptions? options)
    {
        report.Section("Scaling law: validation loss vs parameters");
        var (points, leftOut) = SweepFitInput.PowerLaw(sweep, FitAxis.Params, FitTarget.ValLoss);
        PowerLawFit? fit = null;
        try
        {
            fit = PowerLawFitter.Fit(points, "params", options);
        }
        catch (ScalingFitException ex)
        {
            report.Paragraph($"No law fitted: {ex.Message}.", "note");
        }
        if (fit is not null)
        {
            report.Paragraph(ScalingLawText.Law(fit), "law");
            report.Paragraph(ScalingLawText.Doubling(fit, "parameters"), "law");
            double ahead = points.Max(p => p.X) * 10;
            report.Paragraph(ScalingLawText.Prediction(fit, ahead, fit.Predict(ahead)));
            report.Paragraph(ScalingLawText.Quality(fit.Quality), "note");
            report.Table(["constant", "estimate", F($"{fit.ConfidenceLevel:0%} lower"), F($"{fit.ConfidenceLevel:0%} upper")],
                [Row("E (floor)", fit.E), Row("A", fit.A), Row("α", fit.Alpha)]);
        }
        if (leftOut > 0) report.Paragraph(F($"{leftOut} trial(s) left out: not completed, or without a validation loss."), "note");
        if (points.Count > 0)
            report.Image(ScalingPlots.LossVsSize(points, fit, "parameters", "validation loss", "loss-vs-params.png", "Validation loss vs parameters"));
    }

    private static void Plots(HtmlReport report, SweepData sweep)
    {
        var trials = sweep.Trials;
        report.Section("Compute");
        report.Image(ScalingPlots.LossVsCompute(trials));
        report.Section("Accuracy");
        report.Image(ScalingPlots.AccuracyVsParameters(trials));
        report.Section("Learning curves");
        report.Image(LearningCurvePlot.Render([.. trials.Where(t => t.Epochs.Count > 0).Select(t => new RunCurves(t.Label, t.Epochs))], "All trials"));
        report.Section("Measured vs estimated");
        report.Paragraph("Step time against the estimator's training FLOPs per step (3 × forward FLOPs × batch): the dashed line is the median achieved FLOP/s, so points off it ran faster or slower than the FLOP count predicts. Peak RSS against the estimated training memory (fp32 weights, gradients, optimizer state, activations): RSS also holds the .NET runtime, libtorch and the data set, so small models sit far above the line.", "note");
        report.Image(EstimatePlot.Render([.. trials.Where(t => t.EstimatedStepFlops is not null && t.StepSecondsMean is not null)
            .Select(t => new EstimatePoint(t.Label, t.EstimatedStepFlops!.Value, t.StepSecondsMean!.Value))],
            "Step time vs estimated FLOPs per step", "estimated training FLOPs per step", "measured step time (s)", "step-time-vs-estimate.png", "achieved FLOP/s"));
        // Runs that kept the loop (summary.json "memory"): the step's estimate against the step's measured peak above the
        // run's baseline, the same quantity (docs/verify.md); older runs: the planning estimate against whole-process RSS.
        var looped = trials.Where(t => t.EstimatedTrainingBytes is not null && t.MeasuredStepBytes is > 0).ToList();
        if (looped.Count > 0)
        {
            report.Paragraph(F($"Step memory: each run's estimate (weights, gradients, optimizer state, the batch and the step's worst moment, as libtorch keeps them) against its measured peak above the memory it had before the model was built; {looped.Count(t => Math.Abs(t.EstimatedTrainingBytes!.Value - t.MeasuredStepBytes!.Value) <= 0.1 * t.MeasuredStepBytes.Value)} of {looped.Count} within ±10 %."), "note");
            report.Image(EstimatePlot.Render([.. looped.Select(t => new EstimatePoint(t.Label, t.EstimatedTrainingBytes!.Value, t.MeasuredStepBytes!.Value))],
                "Step memory vs estimate", "estimated step memory (bytes)", "measured step peak above baseline (bytes)", "memory-vs-estimate.png"));
        }
        else
        {
            report.Image(EstimatePlot.Render([.. trials.Where(t => t.EstimatedTrainingBytes is not null && t.PeakRssBytes is not null)
                .Select(t => new EstimatePoint(t.Label, t.EstimatedTrainingBytes!.Value, t.PeakRssBytes!.Value))],
                "Peak memory vs estimate", "estimated training memory (bytes)", "measured peak RSS (bytes)", "memory-vs-estimate.png"));
        }
        report.Section("Sweep axes");
        report.Image(ParallelCoordinatesPlot.Render(trials, "val loss", t => t.ValLoss));
    }

    private static IReadOnlyList<string> Row(string name, FitInterval i) => [name, F($"{i.Estimate:G4}"), F($"{i.Lower:G4}"), F($"{i.Upper:G4}")];

    private static string Opt(double? value, Func<double, string> format) => value is double v ? format(v) : "–";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
