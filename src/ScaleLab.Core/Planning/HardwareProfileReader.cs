using System.Globalization;
using System.Text.Json;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Reads a user-defined hardware profile (docs/hardware.md, "Your own hardware"):
/// <code>
/// { "name": "my-gpu", "memory_bytes": 48e9, "memory_bandwidth_bytes_per_second": 960e9,
///   "peak_flops": { "fp32": 91.6e12, "bf16": 362e12 }, "interconnect_bytes_per_second": 64e9,
///   "description": "...", "source": "vendor datasheet, 2023" }
/// </code>
/// The file is untrusted: its size is capped, unknown fields are refused (a typo such as "memory_gb" must not pass
/// silently), and every number must be finite and positive.
/// </summary>
public static class HardwareProfileReader
{
    /// <summary>A profile is a few hundred bytes; anything past this is not one.</summary>
    public const long MaxFileBytes = 1 << 20;

    private static readonly string[] Fields =
        ["name", "description", "memory_bytes", "memory_bandwidth_bytes_per_second", "peak_flops", "interconnect_bytes_per_second", "source"];

    public static HardwareProfile ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new HardwareProfileException($"{path}: no such hardware profile file");
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
            throw new HardwareProfileException($"{path}: {length.ToString(CultureInfo.InvariantCulture)} bytes is too large for a hardware profile (limit {MaxFileBytes.ToString(CultureInfo.InvariantCulture)})");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses profile JSON; <paramref name="source"/> (the file name) starts every error message.</summary>
    public static HardwareProfile Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new HardwareProfileException($"{source}: invalid JSON at line {(ex.LineNumber + 1)?.ToString(CultureInfo.InvariantCulture) ?? "?"}: {ex.Message.Split(" LineNumber")[0]}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new HardwareProfileException($"{source}: a hardware profile must be a JSON object, got {Kind(root)}");
            foreach (var property in root.EnumerateObject())
            {
                if (!Fields.Contains(property.Name))
                    throw new HardwareProfileException($"{source}: unknown field '{property.Name}'; valid fields: {string.Join(", ", Fields)}");
            }
            string name = RequiredString(root, "name", source);
            return new HardwareProfile(
                name,
                OptionalString(root, "description", source) ?? name,
                WholeBytes(RequiredPositive(root, "memory_bytes", source), "memory_bytes", source),
                RequiredPositive(root, "memory_bandwidth_bytes_per_second", source),
                ReadPeaks(root, source),
                OptionalPositive(root, "interconnect_bytes_per_second", source),
                RequiredString(root, "source", source));
        }
    }

    private static PeakFlops ReadPeaks(JsonElement root, string source)
    {
        if (!root.TryGetProperty("peak_flops", out var peaks)) throw Missing("peak_flops", source);
        if (peaks.ValueKind != JsonValueKind.Object)
            throw new HardwareProfileException($"{source}: field 'peak_flops' must be an object such as {{\"bf16\": 312e12}}, got {Kind(peaks)}");
        var rates = new Dictionary<ComputeFormat, double>();
        foreach (var property in peaks.EnumerateObject())
        {
            string field = $"peak_flops.{property.Name}";
            if (!ComputeFormatInfo.TryParse(property.Name, out var format) || property.Name != format.Name())
                throw new HardwareProfileException($"{source}: unknown format '{field}'; valid: {string.Join(", ", ComputeFormatInfo.All.Select(f => f.Name()))}");
            rates[format] = Positive(property.Value, field, source);
        }
        if (rates.Count == 0) throw new HardwareProfileException($"{source}: field 'peak_flops' gives no rate; give at least one, e.g. \"fp32\"");
        double? Rate(ComputeFormat f) => rates.TryGetValue(f, out double r) ? r : null;
        return new PeakFlops(Rate(ComputeFormat.Fp32), Rate(ComputeFormat.Tf32), Rate(ComputeFormat.Fp16),
            Rate(ComputeFormat.Bf16), Rate(ComputeFormat.Fp8), Rate(ComputeFormat.Int8));
    }

    private static string RequiredString(JsonElement root, string field, string source) =>
        OptionalString(root, field, source) ?? throw Missing(field, source);

    private static string? OptionalString(JsonElement root, string field, string source)
    {
        if (!root.TryGetProperty(field, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new HardwareProfileException($"{source}: field '{field}' must be a string, got {Kind(value)}");
        string text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text)) throw new HardwareProfileException($"{source}: field '{field}' is empty");
        return text;
    }

    private static double RequiredPositive(JsonElement root, string field, string source) =>
        OptionalPositive(root, field, source) ?? throw Missing(field, source);

    private static double? OptionalPositive(JsonElement root, string field, string source) =>
        root.TryGetProperty(field, out var value) ? Positive(value, field, source) : null;

    private static double Positive(JsonElement value, string field, string source)
    {
        if (value.ValueKind != JsonValueKind.Number)
            throw new HardwareProfileException($"{source}: field '{field}' must be a number, got {Kind(value)}");
        double number = value.GetDouble();
        if (!double.IsFinite(number) || number <= 0)
            throw new HardwareProfileException($"{source}: field '{field}' must be a positive number, got {value.GetRawText()}");
        return number;
    }

    private static long WholeBytes(double value, string field, string source)
    {
        // 2^62 bytes (4 EiB) is far past any device and keeps later sums from overflowing.
        if (value > 4.6e18 || value != Math.Floor(value))
            throw new HardwareProfileException($"{source}: field '{field}' must be a whole number of bytes below 4.6e18, got {value.ToString("R", CultureInfo.InvariantCulture)}");
        return (long)value;
    }

    private static HardwareProfileException Missing(string field, string source) =>
        new($"{source}: missing field '{field}'; a profile needs name, memory_bytes, memory_bandwidth_bytes_per_second, peak_flops and source");

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}
