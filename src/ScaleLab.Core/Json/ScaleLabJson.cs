using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleLab.Core.Json;

/// <summary>
/// The one JSON convention of every file ScaleLab writes and every <c>--json</c> document it prints: snake_case keys,
/// nulls left out, units as key suffixes (<c>_bytes</c>, <c>_seconds</c>, <c>_flops</c>), enum values through their
/// explicit name maps (never <c>ToString()</c>). Readers of untrusted files use <see cref="StrictInput"/>.
/// </summary>
public static class ScaleLabJson
{
    /// <summary>Indented, for files people open (summary.json, run.json, documents on stdout).</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Paths and versions stay readable ("0.1.0+3998df9", not "0.1.0\u002B3998df9"); HTML embedding escapes on its own.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>
    /// Every <c>--json</c> document and the dashboard's: a record tree whose first property is <c>Schema</c>
    /// ("scalelab.&lt;command&gt;/&lt;version&gt;"). Unlike the run files, every key a schema requires is written, null
    /// where the figure is not known (not applicable, not measured yet), so a reader meets the same keys every time; a
    /// key that only some inputs have says so with <c>[JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]</c>.
    /// Figures that may be NaN or infinite go through <see cref="Finite"/> (JSON has no such numbers).
    /// </summary>
    public static readonly JsonSerializerOptions Document = new(Options) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary><see cref="Document"/> on one line, for documents a page polls rather than a person reads.</summary>
    public static readonly JsonSerializerOptions CompactDocument = new(Document) { WriteIndented = false };

    /// <summary>A <c>--json</c> document as the text printed on stdout (indented, no trailing newline).</summary>
    public static string Write<T>(T document) => JsonSerializer.Serialize(document, Document);

    /// <summary>The figure, or null when it is NaN or infinite (a loss that diverged, an error over a zero measurement).</summary>
    public static double? Finite(double? value) => value is double v && double.IsFinite(v) ? v : null;

    /// <summary>One line per document: metrics.jsonl, steps.jsonl and the trial progress events.</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    /// <summary>
    /// For files a person wrote (training configs, sweep specs): unknown and duplicate keys are errors, so a typo never
    /// goes unnoticed.
    /// </summary>
    public static readonly JsonSerializerOptions StrictInput = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowDuplicateProperties = false,
    };
}
