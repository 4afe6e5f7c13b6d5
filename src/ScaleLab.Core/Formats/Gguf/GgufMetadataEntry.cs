namespace ScaleLab.Core.Formats.Gguf;

/// <summary>
/// One metadata key/value. Value is the CLR value of <see cref="Type"/>: byte, sbyte, ushort, short, uint, int,
/// float, bool, string, ulong, long, double, or a <see cref="GgufArray"/>.
/// </summary>
public sealed record GgufMetadataEntry(string Key, GgufValueType Type, object Value);

/// <summary>
/// An array value: its element type and full length, and its first elements (at most
/// <see cref="GgufLimits.MaxRetainedArrayElements"/>; the rest were read, checked and skipped).
/// </summary>
public sealed record GgufArray(GgufValueType ElementType, long Length, IReadOnlyList<object> Values)
{
    public bool IsComplete => Values.Count == Length;
}
