using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// The one JSON form of a compression session, schema "scalelab.compress/1" (docs/schemas/compress.schema.json): what
/// OUT/compression.json holds and what `scalelab compress --json` prints, byte for byte. Raw figures, units in the key
/// (`_bytes`, `_seconds`); accuracies are fractions from 0 to 1.
/// </summary>
public static class CompressionResultsJson
{
    public const string SchemaId = "scalelab.compress/1";

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
            w.WriteNumber("latency_batch1_seconds", Seconds(first.BaselineLatencyBatch1Ms));
            w.WriteNumber("latency_batch64_seconds", Seconds(first.BaselineLatencyBatch64Ms));
            w.WriteEndObject();
            w.WriteStartArray("results");
            foreach (var r in results) Result(w, r, CompressionSession.IsParetoOptimal(r, results));
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Result(Utf8JsonWriter w, CompressionResult r, bool paretoOptimal)
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
        w.WriteBoolean("reloaded_identically", r.ReloadedIdentically);
        w.WriteString("latency_engine", r.LatencyEngine);
        w.WriteNumber("latency_batch1_seconds", Seconds(r.LatencyBatch1Ms));
        w.WriteNumber("latency_batch64_seconds", Seconds(r.LatencyBatch64Ms));
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
        w.WriteBoolean("pareto_optimal", paretoOptimal);
        w.WriteEndObject();
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static double Seconds(double milliseconds) => milliseconds / 1000;
}
