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
