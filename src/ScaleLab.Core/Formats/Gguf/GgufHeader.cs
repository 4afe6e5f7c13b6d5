namespace ScaleLab.Core.Formats.Gguf;

/// <summary>A validated GGUF header: version, metadata in file order, tensors in data order, alignment, data start.</summary>
public sealed record GgufHeader(
    string Path,
    long FileBytes,
    uint Version,
    uint Alignment,
    long DataStart,
    IReadOnlyList<GgufMetadataEntry> Metadata,
    IReadOnlyList<GgufTensorInfo> Tensors)
{
    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public object? Find(string key) =>
        Metadata.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.Ordinal))?.Value;

    /// <summary>general.architecture, e.g. "llama", or null.</summary>
    public string? Architecture => Find("general.architecture") as string;
}
