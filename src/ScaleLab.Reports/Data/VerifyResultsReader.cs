using System.Text.Json;
using ScaleLab.Core;

namespace ScaleLab.Reports.Data;

/// <summary>One model at one batch size from `scalelab verify --json`: the estimate beside the measurement.</summary>
/// <param name="MemoryError">(estimated − measured) / measured; null when nothing was measured.</param>
/// <param name="PredictedSecondsPerStep">Null when no machine profile could predict the step time.</param>
public sealed record VerifyRow(string Model, int Batch, long EstimatedBytes, long MeasuredBytes, double? MemoryError,
    double? PredictedSecondsPerStep, double MeasuredSecondsPerStep, double? TimeError, bool WithinTolerance);

/// <summary>
/// Reads DIR/verify.json — what `scalelab verify MODEL --json &gt; verify.json` (schema scalelab.verify/2,
/// docs/schemas/verify.schema.json) or `verify --suite --json` (scalelab.verify-suite/1: one such body per model)
/// writes — into one row per model and batch size, for the dashboard's estimate-vs-measured table. The schema ids
/// live here; the CLI's writer (ScaleLab.Cli.Commands.VerifyJson) uses these constants.
/// </summary>
public static class VerifyResultsReader
{
    public const string FileName = "verify.json";
    public const string SchemaId = "scalelab.verify/2";
    public const string SuiteSchemaId = "scalelab.verify-suite/1";

    public static IReadOnlyList<VerifyRow> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var doc = JsonDocument.Parse(StrictText.ReadText(path), new JsonDocumentOptions { AllowDuplicateProperties = false });
            var root = doc.RootElement;
            string? schema = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (schema == SchemaId) return Model(root, path);
            if (schema == SuiteSchemaId) return Field(root, "models", path).EnumerateArray().SelectMany(m => Model(m, path)).ToList();
            throw new ScaleLabException($"{path}: \"schema\" is {(schema is null ? "missing" : $"'{schema}'")}; expected '{SchemaId}' or '{SuiteSchemaId}' (scalelab verify --json)");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new ScaleLabException($"{path}: not a scalelab verify --json document: {ex.Message}");
        }
    }

    private static List<VerifyRow> Model(JsonElement model, string path)
    {
        string name = Field(model, "model", path).GetString()!;
        var rows = new List<VerifyRow>();
        foreach (var b in Field(model, "batches", path).EnumerateArray())
        {
            var memory = Field(b, "memory", path);
            var time = Field(b, "time", path);
            double? memoryError = Nullable(Field(memory, "error", path)), timeError = Nullable(Field(time, "error", path));
            rows.Add(new VerifyRow(name, Field(b, "batch", path).GetInt32(), Field(memory, "estimated_bytes", path).GetInt64(),
                Field(memory, "measured_bytes", path).GetInt64(), memoryError, Nullable(Field(time, "predicted_seconds_per_step", path)),
                Field(time, "measured_seconds_per_step", path).GetDouble(), timeError, Within(memoryError, model, "memory", path) && Within(timeError, model, "time", path)));
        }

        return rows;
    }

    /// <summary>A batch is within tolerance when its error is no larger than the document's stated tolerance for that figure.</summary>
    private static bool Within(double? error, JsonElement model, string figure, string path) =>
        error is not { } e || Math.Abs(e) <= Field(Field(model, figure, path), "tolerance", path).GetDouble();

    private static JsonElement Field(JsonElement o, string name, string path) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) ? v : throw new ScaleLabException($"{path}: no \"{name}\" field; expected the document `scalelab verify --json` writes");

    private static double? Nullable(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();
}
