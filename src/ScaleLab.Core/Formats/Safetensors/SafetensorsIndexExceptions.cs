using System.Globalization;

namespace ScaleLab.Core.Formats.Safetensors;

// Failures of a sharded checkpoint's model.safetensors.index.json ({"metadata": {...}, "weight_map": {tensor: shard}}).

/// <summary>The index file is larger than <see cref="SafetensorsLimits.MaxIndexBytes"/>.</summary>
public sealed class IndexTooLargeException(string path, long fileBytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"index has {fileBytes} bytes, above the limit of {SafetensorsLimits.MaxIndexBytes}"));

/// <summary>The index is not JSON, or not shaped like {"weight_map": {"tensor": "shard file"}}.</summary>
public sealed class InvalidIndexException(string path, string problem)
    : CheckpointFormatException(path, $"not a safetensors index: {problem}");

/// <summary>weight_map names more shard files than <see cref="SafetensorsLimits.MaxShards"/>.</summary>
public sealed class TooManyShardsException(string path, int shards)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"weight_map names {shards} shard files, above the limit of {SafetensorsLimits.MaxShards}"));

/// <summary>The shards' headers together exceed what one index may make us read (each length is peeked first, 8 bytes a shard).</summary>
public sealed class TotalHeaderTooLargeException(string path, int shards, long bytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"its {shards} shards declare {bytes} header bytes together, above the limit of {SafetensorsLimits.MaxTotalHeaderBytes}"));

/// <summary>A shard name that is not a plain file name beside the index (it could point anywhere on disk).</summary>
public sealed class UnsafeShardNameException(string path, string shard)
    : CheckpointFormatException(path, $"shard '{shard}' is not a plain file name in the index's folder");

/// <summary>A shard the index names does not exist.</summary>
public sealed class MissingShardException(string path, string shard)
    : CheckpointFormatException(path, $"shard '{shard}' named in weight_map does not exist");

/// <summary>weight_map places a tensor in a shard that does not hold it, or a shard holds a tensor weight_map does not list.</summary>
public sealed class ShardMismatchException(string path, string tensor, string shard, string problem)
    : CheckpointFormatException(path, $"tensor '{tensor}' {problem} shard '{shard}'");
