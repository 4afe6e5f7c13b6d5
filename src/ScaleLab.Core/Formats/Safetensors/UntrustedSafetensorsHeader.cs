namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// The header as the JSON says it, before any check of meaning: dtypes may be unknown, shapes may overflow,
/// offsets may overlap. Only <see cref="SafetensorsValidation"/> turns it into a <see cref="SafetensorsHeader"/>.
/// </summary>
internal sealed record UntrustedSafetensorsHeader(
    IReadOnlyList<UntrustedTensorEntry> Entries,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>One entry: names and numbers as written, dimensions and offsets already known to fit in a long.</summary>
internal sealed record UntrustedTensorEntry(string Name, string DType, long[] Shape, long Begin, long End);
