using ScaleLab.Core.Json;
using ScaleLab.Core.Runs;
using ScaleLab.Reports.Data;

namespace ScaleLab.Reports;

/// <summary>
/// `scalelab report DIR --json`, schema "scalelab.report/1" (docs/schemas/report.schema.json): the data the HTML report
/// draws, read by the same readers <see cref="SweepReport"/> uses. For a sweep or run directory the trials' points
/// (and their learning curves); for a `compress --out` directory the variants of the Pareto plot; both when a sweep
/// directory also holds a compression.json. Raw figures, units in the key; a figure not known (or not finite) is null.
/// </summary>
public static class SweepReportJson
{
    public const string SchemaId = "scalelab.report/1";

    public static string Write(string directory, ISweepSource sweeps)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(sweeps);
        string compression = Path.Combine(directory, CompressionResultsReader.FileName);
        bool hasCompression = File.Exists(compression);
        var sweep = hasCompression && !sweeps.Holds(directory) ? null : sweeps.Load(directory);
        return Write(Path.GetFullPath(directory), sweep, hasCompression ? compression : null);
    }

    /// <summary>The report data of trials already loaded (from a shared store); the sweep's directory is not read.</summary>
    public static string Write(SweepData sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return Write(sweep.Directory, sweep, null);
    }

    private static string Write(string directory, SweepData? sweep, string? compression) => ScaleLabJson.Write(new ReportDocument(
        SchemaId, directory, sweep?.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), sweep?.Source,
        [.. (sweep?.Trials ?? []).Select(ReportTrial.From)],
        compression is null ? null : CompressionVariantJson.Read(compression)));

    private sealed record ReportDocument(string Schema, string Directory, string Name, string? Source, IReadOnlyList<ReportTrial> Trials,
        IReadOnlyList<CompressionVariantJson>? Compression);

    private sealed record ReportTrial(string Id, string Label, string Status, ReportParameters Parameters, double? TrainingFlops, double? SamplesSeen,
        double? ValLoss, double? ValAccuracy, double? TestAccuracy, double? StepMeanSeconds, double? TrainSeconds, long? PeakRssBytes,
        double? EstimatedStepFlops, long? EstimatedTrainingBytes, IReadOnlyDictionary<string, double> Axes, IReadOnlyList<ReportEpoch> Epochs)
    {
        public static ReportTrial From(TrialPoint t) => new(t.Id, t.Label, t.Status.ToText(), new ReportParameters(t.Parameters, t.EstimatedParameters),
            ScaleLabJson.Finite(t.TrainingFlops), ScaleLabJson.Finite(t.SamplesSeen), ScaleLabJson.Finite(t.ValLoss), ScaleLabJson.Finite(t.ValAccuracy),
            ScaleLabJson.Finite(t.TestAccuracy), ScaleLabJson.Finite(t.StepSecondsMean), ScaleLabJson.Finite(t.TrainSeconds), t.PeakRssBytes,
            ScaleLabJson.Finite(t.EstimatedStepFlops), t.EstimatedTrainingBytes, t.Axes,
            [.. t.Epochs.Select(e => new ReportEpoch(e.Epoch, ScaleLabJson.Finite(e.TrainLoss), ScaleLabJson.Finite(e.TrainAccuracy),
                ScaleLabJson.Finite(e.ValLoss), ScaleLabJson.Finite(e.ValAccuracy)))]);
    }

    private sealed record ReportParameters(long Total, long Estimated);

    private sealed record ReportEpoch(int Epoch, double? TrainLoss, double? TrainAccuracy, double? ValLoss, double? ValAccuracy);
}
