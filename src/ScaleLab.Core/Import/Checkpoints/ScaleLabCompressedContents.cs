using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleLab.Core.Formats;
using ScaleLab.Core.Formats.Safetensors;

namespace ScaleLab.Core.Import.Checkpoints;

/// <summary>
/// Counts a ScaleLab compressed/1 file (docs/compression.md "The file format") in logical tensors: the shapes come
/// from "scalelab.encodings", the non-zeros from the stored parts (a quantized value is zero when q equals its
/// zero-point; a sparse tensor's zeros are the cleared mask bits). Reads tensor data: compressed files are small.
/// </summary>
internal static class ScaleLabCompressedContents
{
    public static CompressedContents? TryRead(SafetensorsHeader header)
    {
        if (!header.Metadata.TryGetValue(ScaleLabCompressedFormat.FormatKey, out var format) || format != ScaleLabCompressedFormat.FormatValue)
            return null;
        string path = header.Path;
        if (!header.Metadata.TryGetValue(ScaleLabCompressedFormat.EncodingsKey, out var json))
            throw new ScaleLabException($"{path}: metadata '{ScaleLabCompressedFormat.EncodingsKey}' is missing from a {format} file");
        JsonObject encodings;
        try { encodings = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException ex) { throw new ScaleLabException($"{path}: metadata '{ScaleLabCompressedFormat.EncodingsKey}' is not a JSON object: {ex.Message}"); }

        var parts = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var tensors = new List<CompressedTensorContents>();
        foreach (var (name, node) in encodings)
        {
            try { tensors.Add(Count(header, parts, name, node as JsonObject ?? throw new InvalidOperationException("not an object"))); }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException or OverflowException)
            {
                throw new ScaleLabException($"{path}: '{ScaleLabCompressedFormat.EncodingsKey}' entry '{name}' is invalid: {ex.Message}");
            }
        }
        return new CompressedContents("scalelab " + format, checked(tensors.Sum(t => t.Parameters)), checked(tensors.Sum(t => t.NonZero)), tensors);
    }

    private static CompressedTensorContents Count(SafetensorsHeader header, Dictionary<string, SafetensorsTensorInfo> parts, string name, JsonObject info)
    {
        long[] shape = info["shape"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray() ?? throw new InvalidOperationException("no shape");
        long elements = shape.Aggregate(1L, (a, b) => checked(a * b));
        string encoding = info["encoding"]?.GetValue<string>() ?? throw new InvalidOperationException("no encoding");
        string scheme = info["scheme"]?.GetValue<string>() ?? "";
        int group = info["group_size"]?.GetValue<int>() ?? 0;
        long rows = shape.Length == 0 ? 1 : shape[0];
        long columns = rows == 0 ? 0 : elements / rows;

        long stored = PartSuffixes.Sum(suffix => parts.TryGetValue(name + suffix, out var p) ? p.ByteCount : 0);
        byte[] Part(string suffix) => parts.TryGetValue(name + suffix, out var p)
            ? SafetensorsReader.ReadTensor(header.Path, p)
            : throw new InvalidOperationException($"part '{name + suffix}' is missing");

        (string label, long nonZero) = encoding switch
        {
            "Dense" => ("fp32 dense", NonZeroFloats(Part(""))),
            "Int8" => (Int8Label(scheme), NonZeroInt8(Part(".q"), scheme.Contains("Asymmetric", StringComparison.Ordinal) ? Part(".zero") : null, columns)),
            "Int4" => (string.Create(CultureInfo.InvariantCulture, $"int4 group {group} {(scheme.EndsWith("Asymmetric", StringComparison.Ordinal) ? "asymmetric" : "symmetric")}, fp16 scales"),
                       NonZeroInt4(Part(".q4"), scheme.EndsWith("Asymmetric", StringComparison.Ordinal) ? Part(".zero4") : null, elements, columns, group)),
            "Sparse" => ("sparse bitmask + fp32 values", NonZeroFloats(Part(".values"))),
            "SparseInt8" => ("sparse bitmask + int8 values (per-tensor symmetric)", Part(".values.q").LongCount(b => b != 0)),
            _ => throw new InvalidOperationException($"unknown encoding '{encoding}'"),
        };
        return new CompressedTensorContents(name, shape, label, elements, nonZero, stored);
    }

    /// <summary>Every part an encoding may store beside a tensor's name (docs/compression.md, "The file format").</summary>
    private static readonly string[] PartSuffixes = ["", ".q", ".scale", ".zero", ".q4", ".zero4", ".mask", ".values", ".values.q", ".values.scale"];

    private static string Int8Label(string scheme) => scheme switch
    {
        "Int8PerTensorSymmetric" => "int8 per-tensor symmetric",
        "Int8PerTensorAsymmetric" => "int8 per-tensor asymmetric",
        "Int8PerChannelSymmetric" => "int8 per-channel symmetric",
        "Int8PerChannelAsymmetric" => "int8 per-channel asymmetric",
        _ => throw new InvalidOperationException($"unknown int8 scheme '{scheme}'"),
    };

    internal static long NonZeroFloats(byte[] data)
    {
        long count = 0;
        for (int i = 0; i + 4 <= data.Length; i += 4)
            if (BitConverter.ToSingle(data, i) != 0f) count++;
        return count;
    }

    /// <summary>Zero-points: none (symmetric), one (per tensor) or one a row (per channel).</summary>
    private static long NonZeroInt8(byte[] q, byte[]? zeros, long columns)
    {
        long count = 0;
        for (long i = 0; i < q.LongLength; i++)
        {
            int zero = zeros is null ? 0 : (sbyte)zeros[zeros.Length == 1 || columns == 0 ? 0 : i / columns];
            if ((sbyte)q[i] != zero) count++;
        }
        return count;
    }

    /// <summary>Nibbles two a byte, low first; symmetric stores q + 8, asymmetric q with a packed zero-point per group.</summary>
    private static long NonZeroInt4(byte[] packed, byte[]? zeros, long elements, long columns, int group)
    {
        if (packed.LongLength != (elements + 1) / 2) throw new InvalidOperationException($"holds {packed.LongLength} int4 bytes, expected {(elements + 1) / 2}");
        if (group <= 0) throw new InvalidOperationException($"group size {group}");
        long groupsPerRow = (columns + group - 1) / group;
        long count = 0;
        for (long i = 0; i < elements; i++)
        {
            int nibble = (packed[i >> 1] >> (int)((i & 1) * 4)) & 0xF;
            long k = i / columns * groupsPerRow + i % columns / group;
            int zero = zeros is null ? 8 : (zeros[k >> 1] >> (int)((k & 1) * 4)) & 0xF;
            if (nibble != zero) count++;
        }
        return count;
    }
}
