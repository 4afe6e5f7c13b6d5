using System.Text.Json;
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
        JsonOutput.Write(SchemaId, w =>
        {
            w.WriteString("directory", directory);
            w.WriteString("results_db", store);
            w.WriteStartArray("sweeps");
            foreach (var s in sweeps)
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                if (s.Description is null) w.WriteNull("description");
                else w.WriteString("description", s.Description);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("counts");
            foreach (var g in trials.GroupBy(t => t.Status).OrderBy(g => g.Key)) w.WriteNumber(g.Key.ToText(), g.Count());
            w.WriteEndObject();
            w.WriteStartArray("trials");
            foreach (var t in trials) Trial(w, t);
            w.WriteEndArray();
        });

    private static void Trial(Utf8JsonWriter w, TrialRecord t)
    {
        w.WriteStartObject();
        w.WriteNumber("index", t.Plan.Index);
        w.WriteString("id", t.Id);
        w.WriteString("label", t.Plan.Label);
        w.WritePropertyName("axes");
        using (var axes = JsonDocument.Parse(t.Plan.AxesJson)) axes.RootElement.WriteTo(w);
        w.WriteString("status", t.Status.ToText());
        if (t.Message is null) w.WriteNull("message");
        else w.WriteString("message", t.Message);
        w.WriteStartObject("parameters");
        w.WriteNumber("total", t.Result?.Parameters ?? t.Plan.EstimatedParameters);
        w.WriteNumber("estimated", t.Plan.EstimatedParameters);
        w.NumberOrNull("measured", t.Result?.Parameters);
        w.WriteEndObject();
        w.WriteNumber("epochs_completed", t.EpochsCompleted);
        w.NumberOrNull("best_val_loss", t.Result?.Best?.ValLoss);
        w.NumberOrNull("final_val_accuracy", t.Result?.Final?.ValAccuracy);
        w.NumberOrNull("test_accuracy", t.Result?.Test?.Accuracy);
        w.NumberOrNull("training_flops", t.Result?.TrainingFlops);
        w.NumberOrNull("peak_rss_bytes", t.Result?.PeakRssBytes);
        w.NumberOrNull("wall_seconds", t.WallTime?.TotalSeconds);
        w.WriteNumber("attempts", t.Attempts);
        if (t.Worker is null) w.WriteNull("worker");
        else w.WriteString("worker", t.Worker);
        w.WriteString("run_directory", t.Plan.RunDirectory);
        w.WriteEndObject();
    }
}
