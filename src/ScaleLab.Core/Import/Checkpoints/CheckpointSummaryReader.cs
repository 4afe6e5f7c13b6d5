using System.Globalization;
using ScaleLab.Core.Formats.Gguf;
using ScaleLab.Core.Formats.Safetensors;

namespace ScaleLab.Core.Import.Checkpoints;

/// <summary>
/// Summarises a weights file from its headers, never its tensor data, so a multi-GiB checkpoint takes
/// milliseconds: a .safetensors file, a sharded model.safetensors.index.json (or a folder holding one or a
/// model.safetensors), or a .gguf file. Other names are sniffed by their first bytes ("GGUF" or a safetensors length).
/// </summary>
public static class CheckpointSummaryReader
{
    public static CheckpointSummary Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) return Read(InFolder(path));
        if (!File.Exists(path)) throw new ScaleLabException($"{path}: no such file or folder");
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".index.json", StringComparison.Ordinal)) return FromShards(SafetensorsIndexReader.Read(path));
        if (name.EndsWith(".gguf", StringComparison.Ordinal) || StartsWithGguf(path)) return FromGguf(GgufReader.ReadHeader(path));
        return FromSafetensors(SafetensorsReader.ReadHeader(path));
    }

    private static string InFolder(string folder)
    {
        foreach (string candidate in new[] { "model.safetensors.index.json", "model.safetensors" })
        {
            string full = Path.Combine(folder, candidate);
            if (File.Exists(full)) return full;
        }

        var ggufs = Directory.GetFiles(folder, "*.gguf");
        if (ggufs.Length == 1) return ggufs[0];
        throw new ScaleLabException($"{folder}: no model.safetensors.index.json, model.safetensors or single .gguf file in this folder");
    }

    private static bool StartsWithGguf(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("GGUF"u8);
    }

    public static CheckpointSummary FromSafetensors(SafetensorsHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        // Compressed files are recognised by their metadata or the config.json beside them; counting their non-zeros
        // reads tensor data (they are small), every other file is summarised from its header alone.
        return Build(header.Path, "safetensors", 1, header.FileBytes, header.Tensors.Select(ToTensor), [],
            header.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            with { Compressed = ScaleLabCompressedContents.TryRead(header) ?? CompressedTensorsContents.TryRead(header) };
    }

    public static CheckpointSummary FromShards(SafetensorsShards shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var metadata = new Dictionary<string, string>(shards.Metadata, StringComparer.Ordinal);
        foreach (var shard in shards.Shards)
            foreach (var (key, value) in shard.Metadata) metadata.TryAdd(key, value);
        return Build(shards.IndexPath, "safetensors (sharded)", shards.Shards.Count, shards.FileBytes,
            shards.Tensors.Select(ToTensor), [], metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    public static CheckpointSummary FromGguf(GgufHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        string? architecture = header.Architecture;
        bool IsArchitectureKey(string key) =>
            key is "general.architecture" or "general.name" or "general.size_label" or "general.file_type"
            || (architecture is not null && key.StartsWith(architecture + ".", StringComparison.Ordinal));
        var all = header.Metadata.Select(e => KeyValuePair.Create(e.Key, GgufValueText.Format(e.Value))).ToList();
        var tensors = header.Tensors.Select(t =>
            new CheckpointTensor(t.Name, t.Type.Name(), t.Shape, t.Elements, t.ByteCount));
        return Build(header.Path, string.Create(CultureInfo.InvariantCulture, $"gguf v{header.Version}"), 1, header.FileBytes,
            tensors, all.Where(p => IsArchitectureKey(p.Key)), all.Where(p => !IsArchitectureKey(p.Key)));
    }

    private static CheckpointTensor ToTensor(SafetensorsTensorInfo t) => new(t.Name, t.DType, t.Shape, t.Elements, t.ByteCount);

    private static CheckpointSummary Build(
        string path, string format, int files, long fileBytes, IEnumerable<CheckpointTensor> tensorList,
        IEnumerable<KeyValuePair<string, string>> architecture, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var tensors = tensorList.ToList();
        var byDType = tensors.GroupBy(t => t.DType, StringComparer.Ordinal)
            .Select(g => new DTypeTotal(g.Key, g.Count(), g.Sum(t => t.Parameters), g.Sum(t => t.Bytes)))
            .OrderByDescending(d => d.Bytes).ThenBy(d => d.DType, StringComparer.Ordinal)
            .ToList();
        return new CheckpointSummary(path, format, files, fileBytes,
            checked(tensors.Sum(t => t.Parameters)), checked(tensors.Sum(t => t.Bytes)),
            tensors, byDType, LayerGrouping.Group(tensors), [.. architecture], [.. metadata]);
    }
}
