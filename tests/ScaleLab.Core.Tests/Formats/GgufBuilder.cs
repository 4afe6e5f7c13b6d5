using System.Text;
using ScaleLab.Core.Formats.Gguf;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>
/// A tiny GGUF writer for tests (ggml/docs/gguf.md layout): valid files by default, hostile ones by overriding
/// any field. Tensor data is filled with a byte pattern; offsets are laid out aligned unless given.
/// </summary>
internal sealed class GgufBuilder
{
    private readonly List<(string Key, GgufValueType Type, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<TensorEntry> _tensors = [];

    public byte[] Magic { get; set; } = "GGUF"u8.ToArray();
    public uint Version { get; set; } = 3;
    public ulong? TensorCountOverride { get; set; }
    public ulong? MetadataCountOverride { get; set; }
    public uint Alignment { get; set; } = 32;
    public long TruncateTo { get; set; } = -1;

    public sealed record TensorEntry(string Name, ulong[] Dims, uint Type, long Bytes, ulong? Offset);

    public GgufBuilder String(string key, string value) => Add(key, GgufValueType.String, w => WriteString(w, value));

    public GgufBuilder UInt32(string key, uint value) => Add(key, GgufValueType.UInt32, w => w.Write(value));

    public GgufBuilder Add(string key, GgufValueType type, Action<BinaryWriter> write)
    {
        _metadata.Add((key, type, write));
        return this;
    }

    public GgufBuilder Tensor(string name, GgmlType type, params long[] dims)
    {
        var block = GgmlTypeSizes.Of(type);
        long elements = dims.Aggregate(1L, (a, b) => a * b);
        return RawTensor(name, [.. dims.Select(d => (ulong)d)], (uint)type, elements / block.Elements * block.Bytes, null);
    }

    public GgufBuilder RawTensor(string name, ulong[] dims, uint type, long bytes, ulong? offset)
    {
        _tensors.Add(new TensorEntry(name, dims, type, bytes, offset));
        return this;
    }

    public static void WriteString(BinaryWriter w, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    public byte[] Build()
    {
        using var memory = new MemoryStream();
        using (var w = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(TensorCountOverride ?? (ulong)_tensors.Count);
            w.Write(MetadataCountOverride ?? (ulong)_metadata.Count);
            foreach (var (key, type, write) in _metadata)
            {
                WriteString(w, key);
                w.Write((uint)type);
                write(w);
            }

            long next = 0;
            var offsets = new List<long>();
            foreach (var t in _tensors)
            {
                long offset = t.Offset is { } o ? (long)o : next;
                offsets.Add(offset);
                next = Align(Math.Max(next, offset + t.Bytes));
                WriteString(w, t.Name);
                w.Write((uint)t.Dims.Length);
                foreach (ulong d in t.Dims) w.Write(d);
                w.Write(t.Type);
                w.Write((ulong)offset);
            }

            w.Flush();
            while (memory.Length % Alignment != 0) memory.WriteByte(0);
            long dataStart = memory.Length;
            // Offsets past long.MaxValue (hostile tests) wrap negative here and add no data.
            long end = _tensors.Select((t, i) => offsets[i] + t.Bytes).Where(e => e > 0).DefaultIfEmpty(0).Max();
            memory.SetLength(dataStart + end);
            memory.Position = dataStart;
            for (long i = 0; i < end; i++) memory.WriteByte((byte)(i % 251));
        }

        byte[] file = memory.ToArray();
        return TruncateTo >= 0 ? file[..(int)TruncateTo] : file;
    }

    public string Write(TempFolder folder, string name = "model.gguf")
    {
        string path = folder.File(name);
        File.WriteAllBytes(path, Build());
        return path;
    }

    private long Align(long value) => (value + Alignment - 1) / Alignment * Alignment;
}
