using System.Text.Json;

namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// Parses the header's JSON into an <see cref="UntrustedSafetensorsHeader"/>: checks syntax and field types only.
/// The header is {"__metadata__": {"k": "v"}, "NAME": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, …}.
/// </summary>
internal static class SafetensorsHeaderJson
{
    public const string MetadataKey = "__metadata__";

    public static UntrustedSafetensorsHeader Parse(string path, ReadOnlyMemory<byte> utf8)
    {
        using var document = ParseDocument(path, utf8);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new HeaderNotJsonException(path, $"the root is a JSON {Kind(root)}, not an object");

        var entries = new List<UntrustedTensorEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name == MetadataKey)
            {
                if (sawMetadata) throw new InvalidMetadataException(path, "appears more than once");
                sawMetadata = true;
                metadata = ParseMetadata(path, property.Value);
                continue;
            }

            if (!seen.Add(property.Name)) throw new DuplicateTensorException(path, property.Name);
            entries.Add(ParseEntry(path, property.Name, property.Value));
        }

        return new UntrustedSafetensorsHeader(entries, metadata);
    }

    private static JsonDocument ParseDocument(string path, ReadOnlyMemory<byte> utf8)
    {
        try
        {
            return JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = SafetensorsLimits.MaxJsonDepth });
        }
        catch (JsonException ex)
        {
            throw new HeaderNotJsonException(path, ex.Message);
        }
    }

    private static Dictionary<string, string> ParseMetadata(string path, JsonElement value)
    {
        // The reference allows "__metadata__": null as "no metadata".
        if (value.ValueKind == JsonValueKind.Null) return new Dictionary<string, string>(StringComparer.Ordinal);
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidMetadataException(path, $"is a JSON {Kind(value)}");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new InvalidMetadataException(path, $"key '{item.Name}' is a JSON {Kind(item.Value)}, not a string");
            if (!result.TryAdd(item.Name, item.Value.GetString()!))
                throw new InvalidMetadataException(path, $"key '{item.Name}' appears more than once");
        }

        return result;
    }

    private static UntrustedTensorEntry ParseEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidTensorEntryException(path, name, "(entry)", $"is a JSON {Kind(value)}; expected an object with dtype, shape and data_offsets");
        string dtype = Field(path, name, value, "dtype", JsonValueKind.String).GetString()!;
        var shapeJson = Field(path, name, value, "shape", JsonValueKind.Array);
        var offsetsJson = Field(path, name, value, "data_offsets", JsonValueKind.Array);

        var shape = new long[shapeJson.GetArrayLength()];
        int i = 0;
        foreach (var dim in shapeJson.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number)
                throw new InvalidTensorEntryException(path, name, "shape", $"holds a JSON {Kind(dim)}; expected non-negative integers");
            if (!dim.TryGetInt64(out long d) || d < 0) throw new InvalidDimensionException(path, name, dim.GetRawText());
            shape[i++] = d;
        }

        if (offsetsJson.GetArrayLength() != 2)
            throw new InvalidTensorEntryException(path, name, "data_offsets", $"has {offsetsJson.GetArrayLength()} values; expected [begin, end]");
        long begin = Offset(path, name, offsetsJson[0]);
        long end = Offset(path, name, offsetsJson[1]);
        return new UntrustedTensorEntry(name, dtype, shape, begin, end);
    }

    private static JsonElement Field(string path, string name, JsonElement entry, string field, JsonValueKind kind)
    {
        if (!entry.TryGetProperty(field, out var value))
            throw new InvalidTensorEntryException(path, name, field, "is missing");
        if (value.ValueKind != kind)
            throw new InvalidTensorEntryException(path, name, field, $"is a JSON {Kind(value)}; expected a JSON {Kind(kind)}");
        return value;
    }

    private static long Offset(string path, string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long offset) && offset >= 0) return offset;
        throw new InvalidTensorEntryException(path, name, "data_offsets",
            $"holds {value.GetRawText()}; offsets must be integers between 0 and {long.MaxValue}");
    }

    private static string Kind(JsonElement value) => Kind(value.ValueKind);

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
