using System.Globalization;

namespace ScaleLab.Core.Formats.Gguf;

/// <summary>
/// Reads a GGUF v2/v3 header (ggml/docs/gguf.md) in O(header): magic → version → tensor and metadata counts
/// (each capped by <see cref="GgufLimits"/>) → metadata → alignment → tensor infos (dimensions, type, block
/// multiple, checked sizes, aligned offsets) → data start → every tensor inside the file, none overlapping.
/// Every read is checked against the file length first; tensor data is never read.
/// </summary>
public static class GgufReader
{
    private static ReadOnlySpan<byte> Magic => "GGUF"u8;

    public static GgufHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = Open(path);
        using var cursor = new GgufCursor(path, stream);
        var magic = cursor.Bytes(4, "magic");
        if (!magic.SequenceEqual(Magic)) throw new GgufBadMagicException(path, magic);
        uint version = cursor.U32("version");
        if (version is not (2 or 3)) throw new GgufUnsupportedVersionException(path, version);

        ulong tensorCount = cursor.U64("tensor count");
        if (tensorCount > GgufLimits.MaxTensors) throw new GgufTooManyTensorsException(path, tensorCount);
        ulong metadataCount = cursor.U64("metadata count");
        if (metadataCount > GgufLimits.MaxMetadataEntries) throw new GgufTooManyMetadataEntriesException(path, metadataCount);

        var metadata = new List<GgufMetadataEntry>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < (int)metadataCount; i++)
        {
            var entry = GgufMetadataReader.ReadEntry(cursor, i);
            if (!keys.Add(entry.Key)) throw new GgufDuplicateKeyException(path, entry.Key);
            metadata.Add(entry);
        }

        uint alignment = Alignment(path, metadata);
        var raw = new List<(GgufTensorInfo Info, ulong Offset)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < (int)tensorCount; i++)
        {
            var (info, offset) = GgufTensorInfoReader.Read(cursor, i, alignment);
            if (!names.Add(info.Name)) throw new DuplicateTensorException(path, info.Name);
            raw.Add((info, offset));
        }

        // The data section starts at the next multiple of the alignment after the tensor infos.
        long dataStart = checked((cursor.Position + alignment - 1) / alignment * alignment);
        return new GgufHeader(path, cursor.Length, version, alignment, dataStart, metadata,
            PlaceTensors(path, raw, dataStart, cursor.Length));
    }

    private static uint Alignment(string path, List<GgufMetadataEntry> metadata)
    {
        var entry = metadata.FirstOrDefault(e => e.Key == "general.alignment");
        if (entry is null) return GgufLimits.DefaultAlignment;
        if (entry.Value is uint value && value != 0 && (value & (value - 1)) == 0) return value;
        string found = entry.Value is GgufArray ? "an array" : $"{entry.Type} {Convert.ToString(entry.Value, CultureInfo.InvariantCulture)}";
        throw new GgufInvalidAlignmentException(path, found);
    }

    /// <summary>Checks every tensor ends inside the file and none overlap; returns them in data order.</summary>
    private static List<GgufTensorInfo> PlaceTensors(string path, List<(GgufTensorInfo Info, ulong Offset)> raw, long dataStart, long fileBytes)
    {
        var placed = new List<GgufTensorInfo>(raw.Count);
        long room = fileBytes - dataStart;
        foreach (var (info, offset) in raw)
        {
            // Compare against the room left rather than adding, which could overflow.
            if (room < 0 || offset > (ulong)room || info.ByteCount > room - (long)offset)
            {
                long end = offset > long.MaxValue - (ulong)dataStart || info.ByteCount > long.MaxValue - dataStart - (long)offset
                    ? long.MaxValue
                    : dataStart + (long)offset + info.ByteCount;
                throw new DataPastEndOfFileException(path, $"tensor '{info.Name}'", end, fileBytes);
            }

            placed.Add(info with { Offset = (long)offset, FileOffset = dataStart + (long)offset });
        }

        // Gaps are allowed (alignment padding); shared bytes are not.
        placed.Sort((a, b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : a.ByteCount.CompareTo(b.ByteCount));
        for (int i = 1; i < placed.Count; i++)
        {
            var previous = placed[i - 1];
            long previousEnd = previous.Offset + previous.ByteCount;
            if (placed[i].Offset < previousEnd)
                throw new OverlappingTensorsException(path, previous.Name, placed[i].Name, previousEnd, placed[i].Offset);
        }

        return placed;
    }

    private static FileStream Open(string path)
    {
        if (File.Exists(path)) InputFile.RequireRegular(path);   // a FIFO or device would block or never end
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ScaleLabException($"{path}: no such file");
        }
    }
}
