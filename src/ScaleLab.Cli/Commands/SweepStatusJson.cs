using System.Text.Json;
using ScaleLab.Core.Json;
using ScaleLab.Core.Runs;
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
            var plan = t.Plan;
            var r = t.Result;
            using var axes = JsonDocument.Parse(plan.AxesJson);
            return new SweepStatusTrial(plan.Index, t.Id, plan.Label, axes.RootElement.Clone(), t.Status.ToText(), t.Message,
                new SweepStatusParameters(r?.Parameters ?? plan.EstimatedParameters, plan.EstimatedParameters, r?.Parameters), t.EpochsCompleted,
                ScaleLabJson.Finite(r?.Best?.ValLoss), ScaleLabJson.Finite(r?.Final?.ValAccuracy), ScaleLabJson.Finite(r?.Test?.Accuracy),
                ScaleLabJson.Finite(r?.TrainingFlops), r?.PeakRssBytes, ScaleLabJson.Finite(t.WallTime?.TotalSeconds), t.Attempts, t.Worker, plan.RunDirectory);
        }
    }

    private sealed record SweepStatusParameters(long Total, long Estimated, long? Measured);
}
