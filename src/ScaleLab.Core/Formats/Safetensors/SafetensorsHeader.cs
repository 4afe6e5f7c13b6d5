namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// A validated safetensors header: tensors in file order (contiguous, non-overlapping, ending exactly at the end
/// of the file) and the string map __metadata__. HeaderBytes is the JSON length N; data starts at 8 + N.
/// </summary>
public sealed record SafetensorsHeader(
    string Path,
    long FileBytes,
    long HeaderBytes,
    IReadOnlyList<SafetensorsTensorInfo> Tensors,
    IReadOnlyDictionary<string, string> Metadata)
{
    public long DataStart => SafetensorsLimits.LengthPrefixBytes + HeaderBytes;

    public long DataBytes => FileBytes - DataStart;

    /// <summary>The entry named <paramref name="name"/>; throws TensorNotFoundException when there is none.</summary>
    public SafetensorsTensorInfo Find(string name) =>
        Tensors.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal))
        ?? throw new TensorNotFoundException(Path, name);
}
