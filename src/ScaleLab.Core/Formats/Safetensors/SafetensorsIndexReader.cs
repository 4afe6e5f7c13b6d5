using System.Globalization;
using System.Text.Json;

namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// Reads model.safetensors.index.json (the layout transformers' save_pretrained writes for sharded checkpoints):
/// {"metadata": {"total_size": N}, "weight_map": {"tensor": "model-00001-of-00002.safetensors", …}}.
/// Checks, in order: size cap → JSON → weight_map shape → shard names are plain file names → shards exist →
/// every shard header (as <see cref="SafetensorsReader"/>) → weight_map and shard contents agree, no tensor twice.
/// </summary>
public static class SafetensorsIndexReader
{
    public static SafetensorsShards Read(string indexPath)
    {
        ArgumentNullException.ThrowIfNull(indexPath);
        if (!File.Exists(indexPath)) throw new ScaleLabException($"{indexPath}: no such file");
        long bytes = new FileInfo(indexPath).Length;
        if (bytes > SafetensorsLimits.MaxIndexBytes) throw new IndexTooLargeException(indexPath, bytes);
        var (metadata, weightMap) = Parse(indexPath, File.ReadAllBytes(indexPath));

        string folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var shardNames = weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (shardNames.Count > SafetensorsLimits.MaxShards) throw new TooManyShardsException(indexPath, shardNames.Count);
        foreach (string shard in shardNames)
        {
            if (shard.Length == 0 || shard != Path.GetFileName(shard) || shard is "." or ".." || shard.Contains('\\', StringComparison.Ordinal))
                throw new UnsafeShardNameException(indexPath, shard);
            if (!File.Exists(Path.Combine(folder, shard))) throw new MissingShardException(indexPath, shard);
        }

        // Bound the whole read before any header is parsed: each shard's declared header length is its first 8 bytes.
        long declared = 0;
        foreach (string shard in shardNames)
        {
            declared = checked(declared + Math.Min(DeclaredHeaderBytes(Path.Combine(folder, shard)), SafetensorsLimits.MaxHeaderBytes + 1));
            if (declared > SafetensorsLimits.MaxTotalHeaderBytes) throw new TotalHeaderTooLargeException(indexPath, shardNames.Count, declared);
        }

        var headers = new List<SafetensorsHeader>(shardNames.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string shard in shardNames)
        {
            var header = SafetensorsReader.ReadHeader(Path.Combine(Path.GetDirectoryName(indexPath) ?? "", shard));
            foreach (var tensor in header.Tensors)
            {
                if (!seen.Add(tensor.Name)) throw new DuplicateTensorException(indexPath, tensor.Name);
                if (!weightMap.TryGetValue(tensor.Name, out string? mapped))
                    throw new ShardMismatchException(indexPath, tensor.Name, shard, "is missing from weight_map but is stored in");
                if (mapped != shard) throw new ShardMismatchException(indexPath, tensor.Name, shard, $"is mapped to '{mapped}' but is stored in");
            }

            headers.Add(header);
        }

        foreach (var (tensor, shard) in weightMap)
        {
            if (!seen.Contains(tensor)) throw new ShardMismatchException(indexPath, tensor, shard, "is mapped to, but is not stored in,");
        }

        return new SafetensorsShards(indexPath, metadata, headers);
    }

    /// <summary>The little-endian u64 that opens a safetensors file; 0 for a file too short to hold it (the shard's own read reports that).</summary>
    private static long DeclaredHeaderBytes(string shard)
    {
        InputFile.RequireRegular(shard);
        using var stream = File.OpenRead(shard);
        Span<byte> prefix = stackalloc byte[SafetensorsLimits.LengthPrefixBytes];
        if (stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length) return 0;
        ulong length = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        return length > long.MaxValue ? long.MaxValue : (long)length;
    }

    private static (Dictionary<string, string> Metadata, Dictionary<string, string> WeightMap) Parse(string path, byte[] utf8)
    {
        // JsonDocument checks UTF-8 only when a string is read, and then throws InvalidOperationException (found by the
        // fuzz harness, FuzzCorpus/safetensors-index): validate the bytes first, as the single-file reader does.
        if (!System.Text.Unicode.Utf8.IsValid(utf8)) throw new InvalidIndexException(path, "is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = SafetensorsLimits.MaxJsonDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw new InvalidIndexException(path, $"invalid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidIndexException(path, "the root is not a JSON object");
            if (!root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InvalidIndexException(path, "'weight_map' is missing or not an object of tensor → shard file");

            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new InvalidIndexException(path, $"weight_map['{entry.Name}'] is not a string");
                if (!weightMap.TryAdd(entry.Name, entry.Value.GetString()!)) throw new DuplicateTensorException(path, entry.Name);
            }

            // Metadata values are informational (total_size is a number); keep their text, whatever the JSON type.
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            {
                foreach (var item in meta.EnumerateObject())
                    metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
            }

            return (metadata, weightMap);
        }
    }

    /// <summary>Shard file name as transformers writes it: model-00001-of-00003.safetensors.</summary>
    public static string ShardName(int index, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"model-{index:00000}-of-{count:00000}.safetensors");
}
