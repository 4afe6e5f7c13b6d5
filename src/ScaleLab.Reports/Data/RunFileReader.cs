using System.Text.Json;
using ScaleLab.Core;

namespace ScaleLab.Reports.Data;

/// <summary>
/// Reads the two run-directory files the run plots need, without the engine's types (Reports does not reference Torch):
/// metrics.jsonl (ENGINE_CONTRACT: one JSON object per epoch), steps.jsonl (step records) and confusion.json.
/// </summary>
public static class RunFileReader
{
    public const string MetricsFile = "metrics.jsonl";

    /// <summary>Step records, one JSON object each: epoch, step, epochs_done, train_loss, lr, samples_per_second (docs/training.md).</summary>
    public const string StepsFile = "steps.jsonl";

    /// <summary>
    /// confusion.json: {"labels": ["T-shirt/top", …] (optional), "matrix": [[…], …]}; matrix[t][p] counts samples of
    /// true class t predicted as p (rows true, columns predicted), square, non-negative integers.
    /// </summary>
    public const string ConfusionFile = "confusion.json";

    /// <summary>The epochs of metrics.jsonl in order; a torn last line (a killed run) is skipped, a repeated epoch (a resumed run) keeps its last row.</summary>
    public static IReadOnlyList<EpochPoint> ReadEpochs(string metricsPath)
    {
        ArgumentNullException.ThrowIfNull(metricsPath);
        if (!File.Exists(metricsPath)) return [];
        var rows = new Dictionary<int, EpochPoint>();
        foreach (string line in File.ReadLines(metricsPath))
        {
            if (line.Trim().Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty("epoch", out var e) || !e.TryGetInt32(out int epoch)) continue;
                rows[epoch] = new EpochPoint(epoch, Number(o, "train_loss") ?? double.NaN, Number(o, "train_accuracy"), Number(o, "val_loss"), Number(o, "val_accuracy"));
            }
            catch (JsonException)
            {
                // A line cut short by a killed process: the epochs before it are intact.
            }
        }
        return [.. rows.Values.OrderBy(r => r.Epoch)];
    }

    /// <summary>The step records of steps.jsonl in step order; absent file: none; a torn last line (a killed run) is skipped.</summary>
    public static IReadOnlyList<StepPoint> ReadSteps(string stepsPath)
    {
        ArgumentNullException.ThrowIfNull(stepsPath);
        if (!File.Exists(stepsPath)) return [];
        var rows = new SortedDictionary<long, StepPoint>();
        foreach (string line in File.ReadLines(stepsPath))
        {
            if (line.Trim().Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                if (o.ValueKind != JsonValueKind.Object || !o.TryGetProperty("step", out var s) || !s.TryGetInt64(out long step)) continue;
                if (Number(o, "epochs_done") is not double at || Number(o, "train_loss") is not double loss) continue;
                rows[step] = new StepPoint(at, loss);
            }
            catch (JsonException)
            {
                // A line cut short by a killed process: the records before it are intact.
            }
        }
        return [.. rows.Values];
    }

    /// <summary>The confusion matrix in <paramref name="path"/>, or null when the file is absent; a malformed file is an error naming it.</summary>
    public static ConfusionMatrix? ReadConfusion(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("matrix", out var matrix) || matrix.ValueKind != JsonValueKind.Array)
                throw Bad(path, "expected an object with \"matrix\": [[counts of true class 0 by predicted class], …]");
            var rows = new List<IReadOnlyList<long>>();
            foreach (var row in matrix.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Array) throw Bad(path, $"matrix[{rows.Count}] is {row.ValueKind}, expected an array of counts");
                var counts = new List<long>();
                foreach (var cell in row.EnumerateArray())
                {
                    if (!cell.TryGetInt64(out long c) || c < 0)
                        throw Bad(path, $"matrix[{rows.Count}][{counts.Count}] = {cell.GetRawText()}; counts must be non-negative integers");
                    counts.Add(c);
                }
                rows.Add(counts);
            }
            if (rows.Count == 0 || rows.Any(r => r.Count != rows.Count))
                throw Bad(path, $"matrix must be square with at least one class; it has {rows.Count} rows of lengths {string.Join(", ", rows.Select(r => r.Count))}");
            var labels = root.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Array
                ? l.EnumerateArray().Select(x => x.ToString()).ToList()
                : [];
            return new ConfusionMatrix(rows, labels);
        }
        catch (JsonException ex)
        {
            throw Bad(path, $"not valid JSON: {ex.Message}");
        }
    }

    private static double? Number(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static ScaleLabException Bad(string path, string problem) => new($"{path}: {problem}");
}
