using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// Writes safetensors files the way the reference does (huggingface/safetensors, tensor.rs, prepare/serialize):
/// tensors ordered by dtype size (largest first, so every tensor starts aligned to its element size) then name;
/// a compact JSON header with __metadata__ first and metadata keys in ordinal order, padded with spaces so the data
/// starts on a multiple of 8 bytes. Same input → same bytes. The file appears atomically: written beside the
/// target under a temporary name, flushed to disk, then renamed over it.
/// </summary>
public static class SafetensorsWriter
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Keep names such as "model.layers.0.mlp" readable; quotes, backslashes and control characters are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(string path, IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = Order(tensors);
        byte[] header = BuildHeader(ordered, metadata);

        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[SafetensorsLimits.LengthPrefixBytes];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var tensor in ordered) stream.Write(tensor.Data);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The header JSON, space-padded: what <see cref="Write"/> puts after the 8-byte length.</summary>
    public static byte[] Header(IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return BuildHeader(Order(tensors), metadata);
    }

    private static byte[] BuildHeader(List<SafetensorsTensor> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafetensorsHeaderJson.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var tensor in ordered)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType);
                json.WriteStartArray("shape");
                foreach (long dim in tensor.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.Data.LongLength;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // Pad with spaces (valid JSON whitespace) so 8 + N is a multiple of 8, as the reference does.
        int padding = (int)((SafetensorsLimits.Alignment - (buffer.Length % SafetensorsLimits.Alignment)) % SafetensorsLimits.Alignment);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Checks each tensor (argument errors: the caller built them) and returns them in file order.</summary>
    private static List<SafetensorsTensor> Order(IReadOnlyList<SafetensorsTensor> tensors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            Check(tensor);
            if (!names.Add(tensor.Name)) throw new ArgumentException($"tensor '{tensor.Name}' appears more than once", nameof(tensors));
        }

        return [.. tensors
            .OrderByDescending(t => SafetensorsDTypes.BitsOf(t.DType))
            .ThenBy(t => t.Name, StringComparer.Ordinal)];
    }

    private static void Check(SafetensorsTensor tensor)
    {
        if (string.IsNullOrEmpty(tensor.Name) || tensor.Name == SafetensorsHeaderJson.MetadataKey)
            throw new ArgumentException($"tensor name '{tensor.Name}' is empty or reserved", nameof(tensor));
        int bits = SafetensorsDTypes.BitsOf(tensor.DType)
                   ?? throw new ArgumentException($"tensor '{tensor.Name}': unknown dtype '{tensor.DType}'; known: {string.Join(", ", SafetensorsDTypes.Names)}", nameof(tensor));
        long elements = 1;
        foreach (long dim in tensor.Shape)
        {
            if (dim < 0) throw new ArgumentException($"tensor '{tensor.Name}': negative dimension {dim}", nameof(tensor));
            elements = checked(elements * dim);
        }

        long? bytes = SafetensorsDTypes.ByteCount(bits, elements);
        if (bytes != tensor.Data.LongLength)
            throw new ArgumentException(
                $"tensor '{tensor.Name}': {tensor.DType} [{string.Join(", ", tensor.Shape)}] needs {(bytes is null ? "a fractional number of" : bytes.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes but {tensor.Data.LongLength} were given",
                nameof(tensor));
    }
}
