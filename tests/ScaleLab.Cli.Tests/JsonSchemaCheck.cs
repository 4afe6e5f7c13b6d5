using System.Globalization;
using System.Text.Json;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// Checks a JSON value against the subset of JSON Schema (2020-12) our schemas use: type (one or a list), const, enum,
/// pattern, required, properties (closed: an output key the schema does not document is an error), items, oneOf (exactly one
/// branch must match). Returns the first problem with its path, or null.
/// </summary>
internal static class JsonSchemaCheck
{
    public static string? Problem(JsonElement schema, JsonElement value, string path = "$")
    {
        if (schema.TryGetProperty("oneOf", out var branches))
        {
            var problems = branches.EnumerateArray().Select(b => Problem(b, value, path)).ToList();
            int matches = problems.Count(p => p is null);
            if (matches != 1) return $"{path}: matches {matches.ToString(CultureInfo.InvariantCulture)} of the oneOf branches ({string.Join(" | ", problems.Where(p => p is not null))})";
        }
        if (schema.TryGetProperty("type", out var type) && !TypeMatches(type, value)) return $"{path}: {value.ValueKind} is not {type}";
        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value)) return $"{path}: {value} is not {constant}";
        if (schema.TryGetProperty("pattern", out var pattern) && value.ValueKind == JsonValueKind.String
            && !System.Text.RegularExpressions.Regex.IsMatch(value.GetString()!, pattern.GetString()!, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
            return $"{path}: {value} does not match {pattern}";
        if (schema.TryGetProperty("enum", out var options) && !options.EnumerateArray().Any(o => JsonElement.DeepEquals(o, value)))
            return $"{path}: {value} is not one of {options}";
        if (value.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
        {
            if (schema.TryGetProperty("required", out var required))
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                    if (!value.TryGetProperty(name, out _)) return $"{path}: missing {name}";
            foreach (var p in value.EnumerateObject())
            {
                if (!properties.TryGetProperty(p.Name, out var sub)) return $"{path}: {p.Name} is not in the schema";
                if (Problem(sub, p.Value, path + "." + p.Name) is { } problem) return problem;
            }
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            int i = 0;
            foreach (var item in value.EnumerateArray())
                if (Problem(items, item, $"{path}[{(i++).ToString(CultureInfo.InvariantCulture)}]") is { } problem) return problem;
        }
        return null;
    }

    private static bool TypeMatches(JsonElement type, JsonElement value) => type.ValueKind == JsonValueKind.Array
        ? type.EnumerateArray().Any(t => Is(t.GetString()!, value))
        : Is(type.GetString()!, value);

    private static bool Is(string type, JsonElement value) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        _ => false,
    };
}
