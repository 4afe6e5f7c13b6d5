using System.Text.Json;
using ScaleLab.Core;

namespace ScaleLab.Reports.Data;

/// <summary>
/// Reads OUT/compression.json written by `scalelab compress` (schemas scalelab.compress/1 and /2, written by
/// ScaleLab.Torch.Compression.CompressionResultsJson: {"baseline": {accuracy, file_bytes, latency_batch64_seconds},
/// "results": [{label, accuracy, file_bytes, latency_batch64_seconds, …}]}) into points for the Pareto plot: the
/// uncompressed baseline first, then every variant. Latency is per batch of 64, in seconds. Files from before the
/// schema (no "schema" key: per-result baseline_… fields, latencies in _ms) are still read.
/// </summary>
public static class CompressionResultsReader
{
    public const string FileName = "compression.json";

    public static IReadOnlyList<CompressionPoint> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var doc = JsonDocument.Parse(StrictText.ReadText(path), new JsonDocumentOptions { AllowDuplicateProperties = false });
            if (!doc.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
                throw new ScaleLabException($"{path}: no \"results\" array; expected the compression.json that `scalelab compress` writes");
            if (doc.RootElement.TryGetProperty("schema", out _)) return Current(doc.RootElement, results, path);
            var points = new List<CompressionPoint>();
            foreach (var entry in results.EnumerateArray())
            {
                var r = entry.TryGetProperty("result", out var inner) ? inner : entry;
                if (points.Count == 0)
                {
                    points.Add(new CompressionPoint("baseline fp32", Accuracy(r, "baseline_accuracy", path), Bytes(r, "baseline_file_bytes", path),
                        Milliseconds(r, "baseline_latency_batch64_ms", path) / 1000));
                }
                points.Add(new CompressionPoint(r.GetProperty("label").GetString() ?? "?", Accuracy(r, "accuracy", path), Bytes(r, "file_bytes", path),
                    Milliseconds(r, "latency_batch64_ms", path) / 1000));
            }
            return points;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ScaleLabException($"{path}: not a compression.json from `scalelab compress`: {ex.Message}");
        }
    }

    private static List<CompressionPoint> Current(JsonElement root, JsonElement results, string path)
    {
        var baseline = root.TryGetProperty("baseline", out var b) && b.ValueKind == JsonValueKind.Object
            ? b
            : throw new ScaleLabException($"{path}: no \"baseline\" object; expected the compression.json that `scalelab compress` writes");
        var points = new List<CompressionPoint>
        {
            new("baseline fp32", Accuracy(baseline, "accuracy", path), Bytes(baseline, "file_bytes", path), Seconds(baseline, "latency_batch64_seconds", path)),
        };
        foreach (var r in results.EnumerateArray())
            points.Add(new CompressionPoint(r.GetProperty("label").GetString() ?? "?", Accuracy(r, "accuracy", path), Bytes(r, "file_bytes", path),
                Seconds(r, "latency_batch64_seconds", path)));
        return points;
    }

    // Figures are checked against what `scalelab compress` can write, so a damaged file is refused by field, not drawn.
    private static double Accuracy(JsonElement o, string name, string path) =>
        Checked(Get(o, name, path), v => v is >= 0 and <= 1, name, "from 0 to 1", path);

    private static long Bytes(JsonElement o, string name, string path) =>
        (long)Checked(Get(o, name, path), v => v >= 0 && v == Math.Floor(v) && v < 1e18, name, "a whole number of bytes, 0 or more", path);

    private static double Seconds(JsonElement o, string name, string path) =>
        Checked(Get(o, name, path), v => v >= 0, name, "0 or more", path);

    private static double Milliseconds(JsonElement o, string name, string path) =>
        Checked(Get(o, name, path), v => v >= 0, name, "0 or more", path);

    private static double Checked(double value, Func<double, bool> valid, string name, string want, string path) =>
        double.IsFinite(value) && valid(value)
            ? value
            : throw new ScaleLabException($"{path}: \"{name}\" is {value.ToString("G", System.Globalization.CultureInfo.InvariantCulture)}; it must be {want} — the file is damaged or was not written by `scalelab compress`");

    private static double Get(JsonElement o, string name, string path) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : throw new ScaleLabException($"{path}: a result lacks the number \"{name}\"");
}
