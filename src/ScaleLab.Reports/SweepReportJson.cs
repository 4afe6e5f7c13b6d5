using ScaleLab.Core.Runs;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ScaleLab.Reports.Data;

namespace ScaleLab.Reports;

/// <summary>
/// `scalelab report DIR --json`, schema "scalelab.report/1" (docs/schemas/report.schema.json): the data the HTML report
/// draws, read by the same readers <see cref="SweepReport"/> uses. For a sweep or run directory the trials' points
/// (and their learning curves); for a `compress --out` directory the variants of the Pareto plot; both when a sweep
/// directory also holds a compression.json. Raw figures, units in the key.
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

    private static string Write(string directory, SweepData? sweep, string? compression)
    {
        bool hasCompression = compression is not null;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", SchemaId);
            w.WriteString("directory", directory);
            w.WriteString("name", sweep?.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)));
            if (sweep is null) w.WriteNull("source");
            else w.WriteString("source", sweep.Source);
            w.WriteStartArray("trials");
            foreach (var t in sweep?.Trials ?? []) Trial(w, t);
            w.WriteEndArray();
            if (hasCompression)
            {
                w.WriteStartArray("compression");
                foreach (var p in CompressionResultsReader.Read(compression!))
                {
                    w.WriteStartObject();
                    w.WriteString("label", p.Label);
                    w.WriteNumber("accuracy", p.Accuracy);
                    w.WriteNumber("file_bytes", p.Bytes);
                    w.WriteNumber("latency_batch64_seconds", p.LatencySeconds);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            else
            {
                w.WriteNull("compression");
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Trial(Utf8JsonWriter w, TrialPoint t)
    {
        w.WriteStartObject();
        w.WriteString("id", t.Id);
        w.WriteString("label", t.Label);
        w.WriteString("status", t.Status.ToText());
        w.WriteStartObject("parameters");
        w.WriteNumber("total", t.Parameters);
        w.WriteNumber("estimated", t.EstimatedParameters);
        w.WriteEndObject();
        Number(w, "training_flops", t.TrainingFlops);
        Number(w, "samples_seen", t.SamplesSeen);
        Number(w, "val_loss", t.ValLoss);
        Number(w, "val_accuracy", t.ValAccuracy);
        Number(w, "test_accuracy", t.TestAccuracy);
        Number(w, "step_mean_seconds", t.StepSecondsMean);
        Number(w, "train_seconds", t.TrainSeconds);
        Number(w, "peak_rss_bytes", t.PeakRssBytes);
        Number(w, "estimated_step_flops", t.EstimatedStepFlops);
        Number(w, "estimated_training_bytes", t.EstimatedTrainingBytes);
        w.WriteStartObject("axes");
        foreach (var (name, value) in t.Axes) w.WriteNumber(name, value);
        w.WriteEndObject();
        w.WriteStartArray("epochs");
        foreach (var e in t.Epochs)
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", e.Epoch);
            w.WriteNumber("train_loss", e.TrainLoss);
            Number(w, "train_accuracy", e.TrainAccuracy);
            Number(w, "val_loss", e.ValLoss);
            Number(w, "val_accuracy", e.ValAccuracy);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
