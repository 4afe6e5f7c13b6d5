using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// The one JSON form of a compression session, schema "scalelab.compress/2" (docs/schemas/compress.schema.json): what
/// OUT/compression.json holds and what `scalelab compress --json` prints, byte for byte. Raw figures, units in the key
/// (`_bytes`, `_seconds`); accuracies are fractions from 0 to 1. Version 2 adds the noise: latency intervals, the
/// accuracy noise of each comparison, the same-budget baseline a fine-tuned variant is compared with, the deployment
/// latency matrix and int8 speed-ups; pareto_optimal follows <see cref="ParetoRule"/>. The *_seconds keys of
/// version 1 remain (now medians).
/// </summary>
public static class CompressionResultsJson
{
    public const string SchemaId = "scalelab.compress/2";

    public static string Write(string runDirectory, IReadOnlyList<CompressionResult> results)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) throw new ArgumentException("a compression session has at least one result", nameof(results));
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", SchemaId);
            w.WriteString("run", Path.GetFullPath(runDirectory));
            var first = results[0];
            w.WriteStartObject("baseline");
            w.WriteNumber("accuracy", first.BaselineAccuracy);
            w.WriteNumber("file_bytes", first.BaselineFileBytes);
            w.WriteNumber("latency_batch1_seconds", Seconds(first.BaselineLatencyBatch1.MedianMs));
            w.WriteNumber("latency_batch64_seconds", Seconds(first.BaselineLatencyBatch64.MedianMs));
            Interval(w, "latency_batch1", first.BaselineLatencyBatch1);
            Interval(w, "latency_batch64", first.BaselineLatencyBatch64);
            w.WriteNumber("test_samples", first.TestSamples);
            w.WriteEndObject();
            w.WriteStartArray("results");
            foreach (var r in results) Result(w, r, results);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Result(Utf8JsonWriter w, CompressionResult r, IReadOnlyList<CompressionResult> all)
    {
        w.WriteStartObject();
        w.WriteString("label", r.Label);
        w.WriteString("artifact_path", r.ArtifactPath);
        w.WriteStartObject("parameters");
        w.WriteNumber("total", r.Parameters);
        w.WriteNumber("non_zero", r.NonZeroParameters);
        w.WriteEndObject();
        w.WriteNumber("file_bytes", r.FileBytes);
        w.WriteNumber("file_ratio", r.FileRatio);
        w.WriteNumber("accuracy", r.Accuracy);
        w.WriteNumber("accuracy_delta", r.AccuracyDelta);
        double noise = ParetoRule.AccuracyNoise(r.Accuracy, r.BaselineAccuracy, r.TestSamples);
        w.WriteNumber("accuracy_noise", noise);
        w.WriteBoolean("accuracy_delta_within_noise", Math.Abs(r.AccuracyDelta) <= noise);
        w.WriteNumber("finetune_epochs", r.FineTuneEpochs);
        w.WriteBoolean("finetuned_baseline", r.IsFineTunedBaseline);
        if (ParetoRule.SameBudgetBaseline(r, all) is { } reference)
        {
            w.WriteStartObject("same_budget_baseline");
            w.WriteString("label", reference.Label);
            w.WriteNumber("accuracy", reference.Accuracy);
            w.WriteNumber("accuracy_delta", r.Accuracy - reference.Accuracy);
            double referenceNoise = ParetoRule.AccuracyNoise(r, reference);
            w.WriteNumber("accuracy_noise", referenceNoise);
            w.WriteBoolean("within_noise", Math.Abs(r.Accuracy - reference.Accuracy) <= referenceNoise);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("same_budget_baseline");
        }
        w.WriteBoolean("reloaded_identically", r.ReloadedIdentically);
        w.WriteString("latency_engine", r.LatencyEngine);
        w.WriteNumber("latency_batch1_seconds", Seconds(r.LatencyBatch1.MedianMs));
        w.WriteNumber("latency_batch64_seconds", Seconds(r.LatencyBatch64.MedianMs));
        Interval(w, "latency_batch1", r.LatencyBatch1);
        Interval(w, "latency_batch64", r.LatencyBatch64);
        w.WriteBoolean("latency_batch64_within_noise_of_baseline",
            !r.LatencyBatch64.FasterBeyondNoise(r.BaselineLatencyBatch64) && !r.BaselineLatencyBatch64.FasterBeyondNoise(r.LatencyBatch64));
        if (r.Int8RuntimeAccuracy is double runtime)
        {
            w.WriteStartObject("int8_runtime");
            w.WriteNumber("accuracy", runtime);
            Nullable(w, "latency_batch1_seconds", r.Int8RuntimeLatencyBatch1Ms is double b1 ? Seconds(b1) : null);
            Nullable(w, "latency_batch64_seconds", r.Int8RuntimeLatencyBatch64Ms is double b64 ? Seconds(b64) : null);
            Nullable(w, "static_accuracy", r.StaticInt8RuntimeAccuracy);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("int8_runtime");
        }
        Nullable(w, "static_int8_accuracy", r.StaticInt8Accuracy);
        Nullable(w, "scratch_accuracy", r.ScratchAccuracy);
        w.WriteNumber("compress_seconds", r.Seconds);
        w.WriteStartArray("steps");
        foreach (string step in r.Steps) w.WriteStringValue(step);
        w.WriteEndArray();
        w.WriteStartArray("deployment");
        foreach (var cell in r.Deployment)
        {
            w.WriteStartObject();
            w.WriteString("engine", cell.Engine.Name());
            w.WriteNumber("batch", cell.Batch);
            w.WriteNumber("threads", cell.Threads);
            IntervalFields(w, cell.Latency);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("int8_speedups");
        foreach (var cell in r.Deployment.Where(c => c.Engine == InferenceEngine.OnnxRuntimeInt8))
        {
            if (DeploymentLatency.Int8SpeedUp(r.Deployment, cell.Batch, cell.Threads) is not double speedUp) continue;
            w.WriteStartObject();
            w.WriteString("runtime", "onnxruntime");
            w.WriteNumber("batch", cell.Batch);
            w.WriteNumber("threads", cell.Threads);
            w.WriteNumber("speedup", speedUp);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("pareto_optimal", ParetoRule.IsParetoOptimal(r, all));
        w.WriteEndObject();
    }

    private static void Interval(Utf8JsonWriter w, string name, LatencyEstimate latency)
    {
        w.WriteStartObject(name);
        IntervalFields(w, latency);
        w.WriteEndObject();
    }

    /// <summary>Median and 95 % interval of the median (<see cref="LatencyEstimate"/>), in seconds.</summary>
    private static void IntervalFields(Utf8JsonWriter w, LatencyEstimate latency)
    {
        w.WriteNumber("median_seconds", Seconds(latency.MedianMs));
        w.WriteNumber("low_seconds", Seconds(latency.LowMs));
        w.WriteNumber("high_seconds", Seconds(latency.HighMs));
        w.WriteNumber("rounds", latency.Rounds);
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static double Seconds(double milliseconds) => milliseconds / 1000;
}
