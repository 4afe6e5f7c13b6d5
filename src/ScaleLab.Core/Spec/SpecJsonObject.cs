using System.Globalization;
using System.Text.Json;

namespace ScaleLab.Core.Spec;

/// <summary>
/// One JSON object of a spec file, still untrusted: typed reads that validate as they go and fail with a message
/// naming the file, the place, the field and the value. Every read marks its field as known, so
/// <see cref="RejectUnknownFields"/> can catch typos ("filter" for "filters") instead of silently ignoring them.
/// </summary>
internal sealed class SpecJsonObject
{
    private readonly JsonElement _element;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public SpecJsonObject(JsonElement element, string source, string location)
    {
        Source = source;
        Location = location;
        if (element.ValueKind != JsonValueKind.Object)
            throw Fail($"expected a JSON object, found {Describe(element)}");
        _element = element;
    }

    public string Source { get; }

    /// <summary>"layers[3] (conv2d)"; changes once the type is known.</summary>
    public string Location { get; set; }

    public SpecException Fail(string problem) => new(Source, Location, problem);

    public bool Has(string field) => _element.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Raw(string field)
    {
        _known.Add(field);
        return _element.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    public string? OptionalString(string field)
    {
        var v = Raw(field);
        if (v is null) return null;
        if (v.Value.ValueKind != JsonValueKind.String) throw Fail($"{field} is {Describe(v.Value)}; it must be a string");
        return v.Value.GetString();
    }

    public string RequiredString(string field, string what) =>
        OptionalString(field) ?? throw Fail($"missing field '{field}' ({what})");

    public long RequiredLong(string field, string what, long min = 1, long max = long.MaxValue) =>
        Has(field) ? OptionalLong(field, min, min, max) : throw Fail($"missing field '{field}' ({what})");

    public long OptionalLong(string field, long fallback, long min = 1, long max = long.MaxValue)
    {
        var v = Raw(field);
        if (v is null) return fallback;
        if (v.Value.ValueKind != JsonValueKind.Number || !v.Value.TryGetInt64(out long n))
            throw Fail($"{field} is {Describe(v.Value)}; it must be an integer, {RangeText(min, max)}");
        if (n < min || n > max) throw Fail($"{field} is {n.ToString(CultureInfo.InvariantCulture)}; it must be {RangeText(min, max)}");
        return n;
    }

    public int RequiredInt(string field, string what, int min = 1, int max = int.MaxValue) =>
        Has(field) ? OptionalInt(field, min, min, max) : throw Fail($"missing field '{field}' ({what})");

    public int OptionalInt(string field, int fallback, int min = 1, int max = int.MaxValue) =>
        (int)OptionalLong(field, fallback, min, max);

    public bool OptionalBool(string field, bool fallback)
    {
        var v = Raw(field);
        if (v is null) return fallback;
        return v.Value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail($"{field} is {Describe(v.Value)}; it must be true or false"),
        };
    }

    public double OptionalDouble(string field, double fallback, double min, double max, bool maxExclusive = false)
    {
        var v = Raw(field);
        if (v is null) return fallback;
        if (v.Value.ValueKind != JsonValueKind.Number || !v.Value.TryGetDouble(out double x) || !double.IsFinite(x))
            throw Fail($"{field} is {Describe(v.Value)}; it must be a number");
        bool tooBig = maxExclusive ? x >= max : x > max;
        if (x < min || tooBig)
        {
            string upper = (maxExclusive ? "below " : "at most ") + max.ToString(CultureInfo.InvariantCulture);
            throw Fail($"{field} is {x.ToString(CultureInfo.InvariantCulture)}; it must be at least {min.ToString(CultureInfo.InvariantCulture)} and {upper}");
        }
        return x;
    }

    /// <summary>An int or a list of <paramref name="rank"/> ints, as PyTorch accepts for kernel/stride/padding: 3 means [3, 3].</summary>
    /// <summary>Largest kernel, stride, padding or dilation accepted: 2^16, far beyond any real layer, so sizes cannot overflow.</summary>
    public const int MaxTupleValue = 1 << 16;

    public IReadOnlyList<int>? OptionalTuple(string field, int rank, int min)
    {
        var v = Raw(field);
        if (v is null) return null;
        string want = rank == 1 ? $"an integer, {RangeText(min, int.MaxValue)}" : $"an integer, {RangeText(min, int.MaxValue)}, or a list of {rank} such integers";
        if (v.Value.ValueKind == JsonValueKind.Number)
        {
            int n = Int(v.Value, field, want, min);
            return Enumerable.Repeat(n, rank).ToArray();
        }
        if (v.Value.ValueKind != JsonValueKind.Array || v.Value.GetArrayLength() != rank)
            throw Fail($"{field} is {Describe(v.Value)}; it must be {want}");
        return v.Value.EnumerateArray().Select(e => Int(e, field, want, min)).ToArray();
    }

    public IReadOnlyList<int> RequiredTuple(string field, int rank, int min, string what) =>
        OptionalTuple(field, rank, min) ?? throw Fail($"missing field '{field}' ({what})");

    /// <summary>Fails on any field no read asked for, listing the ones this object accepts.</summary>
    public void RejectUnknownFields()
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (_known.Contains(property.Name)) continue;
            string valid = string.Join(", ", _known.Order(StringComparer.Ordinal));
            throw Fail($"unknown field '{property.Name}'; valid fields here: {valid}");
        }
    }

    /// <summary>A value as a person would recognise it in their file: 5, "same", [3, 3], an object.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array when value.GetArrayLength() <= 8 => "[" + string.Join(", ", value.EnumerateArray().Select(Describe)) + "]",
        JsonValueKind.Array => $"a list of {value.GetArrayLength().ToString(CultureInfo.InvariantCulture)} values",
        JsonValueKind.String => "\"" + Truncate(value.GetString() ?? "") + "\"",
        _ => Truncate(value.GetRawText()),
    };

    private int Int(JsonElement e, string field, string want, int min)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int n) || n < min)
            throw Fail($"{field} is {Describe(e)}; it must be {want}");
        if (n > MaxTupleValue)
            throw Fail($"{field} is {n.ToString(CultureInfo.InvariantCulture)}; at most {MaxTupleValue.ToString(CultureInfo.InvariantCulture)} is accepted");
        return n;
    }

    private static string RangeText(long min, long max) => max == long.MaxValue || max == int.MaxValue
        ? "at least " + min.ToString(CultureInfo.InvariantCulture)
        : $"from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
