using System.Text.Json;
using ScaleLab.Core.Json;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `sweep status --json`, schema "scalelab.sweep-status/1" (docs/schemas/sweep-status.schema.json): the trials
/// <see cref="SweepStatusTable"/> prints, raw figures; null where a trial has not produced one yet.
/// </summary>
internal static class SweepStatusJson
{
    public const string SchemaId = "scalelab.sweep-status/1";

    public static string Write(string directory, string store, IReadOnlyList<SweepRecord> sweeps, IReadOnlyList<TrialRecord> trials) =>
        ScaleLabJson.Write(new SweepStatusDocument(SchemaId, directory, store,
            [.. sweeps.Select(s => new SweepStatusSweep(s.Name, s.Description))],
            trials.GroupBy(t => t.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToText(), g => g.Count(), StringComparer.Ordinal),
            [.. trials.Select(SweepStatusTrial.From)]));

    private sealed record SweepStatusDocument(string Schema, string Directory, string ResultsDb, IReadOnlyList<SweepStatusSweep> Sweeps,
        IReadOnlyDictionary<string, int> Counts, IReadOnlyList<SweepStatusTrial> Trials);

    private sealed record SweepStatusSweep(string Name, string? Description);

    private sealed record SweepStatusTrial(int Index, string Id, string Label, JsonElement Axes, string Status, string? Message,
        SweepStatusParameters Parameters, int EpochsCompleted, double? BestValLoss, double? FinalValAccuracy, double? TestAccuracy,
        double? TrainingFlops, long? PeakRssBytes, double? WallSeconds, int Attempts, string? Worker, string RunDirectory)
    {
        public static SweepStatusTrial From(TrialRecord t)
        {
            using var axes = JsonDocument.Parse(t.AxesJson);
            return new SweepStatusTrial(t.Index, t.Id, t.Label, axes.RootElement.Clone(), t.Status.ToText(), t.Message,
                new SweepStatusParameters(t.Parameters ?? t.EstimatedParameters, t.EstimatedParameters, t.Parameters), t.EpochsCompleted,
                ScaleLabJson.Finite(t.BestValLoss), ScaleLabJson.Finite(t.FinalValAccuracy), ScaleLabJson.Finite(t.TestAccuracy),
                ScaleLabJson.Finite(t.TrainingFlops), t.PeakRssBytes, ScaleLabJson.Finite(t.WallTime?.TotalSeconds), t.Attempts, t.Worker, t.RunDirectory);
        }
    }

    private sealed record SweepStatusParameters(long Total, long Estimated, long? Measured);
}
