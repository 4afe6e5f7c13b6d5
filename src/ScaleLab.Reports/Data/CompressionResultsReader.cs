using System.Text.Json;
using ScaleLab.Core;

namespace ScaleLab.Reports.Data;

/// <summary>
/// Reads OUT/compression.json written by `scalelab compress` ({"run": …, "results": [{"result": {label, file_bytes,
/// accuracy, latency_batch64_ms, baseline_…}, "pareto_optimal": …}]}) into points for the Pareto plot: the uncompressed
/// baseline first, then every variant. Latency is per batch of 64, in seconds.
/// </summary>
public static class CompressionResultsReader
{
    public const string FileName = "compression.json";

    public static IReadOnlyList<CompressionPoint> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (!doc.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
                throw new ScaleLabException($"{path}: no \"results\" array; expected the compression.json that `scalelab compress` writes");
            var points = new List<CompressionPoint>();
            foreach (var entry in results.EnumerateArray())
            {
                var r = entry.TryGetProperty("result", out var inner) ? inner : entry;
                if (points.Count == 0)
                {
                    points.Add(new CompressionPoint("baseline fp32", Get(r, "baseline_accuracy", path), (long)Get(r, "baseline_file_bytes", path),
                        Get(r, "baseline_latency_batch64_ms", path) / 1000));
                }
                points.Add(new CompressionPoint(r.GetProperty("label").GetString() ?? "?", Get(r, "accuracy", path), (long)Get(r, "file_bytes", path),
                    Get(r, "latency_batch64_ms", path) / 1000));
            }
            return points;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ScaleLabException($"{path}: not a compression.json from `scalelab compress`: {ex.Message}");
        }
    }

    private static double Get(JsonElement o, string name, string path) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : throw new ScaleLabException($"{path}: a result lacks the number \"{name}\"");
}
