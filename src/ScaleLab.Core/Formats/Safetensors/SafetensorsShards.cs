namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>A sharded checkpoint: the index's metadata and every shard's validated header, in shard-name order.</summary>
public sealed record SafetensorsShards(
    string IndexPath,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<SafetensorsHeader> Shards)
{
    public IEnumerable<SafetensorsTensorInfo> Tensors => Shards.SelectMany(s => s.Tensors);

    public long FileBytes => Shards.Sum(s => s.FileBytes);
}
