using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleLab.Core;
using ScaleLab.Core.Formats;
using ScaleLab.Core.Formats.Safetensors;

namespace ScaleLab.Torch.Compression;

/// <summary>A compressed model file that cannot be read: names the file, the tensor and what is wrong.</summary>
public sealed class CompressedModelException(string message) : ScaleLabException(message);

/// <summary>
/// Compressed models on disk: a safetensors file whose tensors are the encoded parts ("w.q", "w.scale", "w.mask", …)
/// and whose __metadata__ holds "scalelab.format" = "compressed/1", "scalelab.encodings" (tensor → encoding, shape,
/// scheme, group size) and "scalelab.spec" (the model spec JSON). Any safetensors reader can open it; ScaleLab decodes
/// it back to the exact fp32 weights that were evaluated, so a loaded model evaluates identically.
/// </summary>
public static class CompressedModelFile
{
    public const string FormatKey = ScaleLabCompressedFormat.FormatKey;
    public const string FormatValue = ScaleLabCompressedFormat.FormatValue;
    public const string EncodingsKey = ScaleLabCompressedFormat.EncodingsKey;
    public const string SpecKey = ScaleLabCompressedFormat.SpecKey;

    /// <summary>One tensor to store: its fp32 values (row-major), shape and how to encode them.</summary>
    public sealed record Entry(string Name, long[] Shape, float[] Values, TensorEncoding Encoding, QuantScheme Scheme = QuantScheme.Int8PerChannelSymmetric, int GroupSize = 64);

    /// <summary>Encodes and writes atomically; returns the decoded values (what a reader will get back) per tensor.</summary>
    public static Dictionary<string, float[]> Write(string path, IReadOnlyList<Entry> entries, string specJson)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var encoded = entries.Select(EncodedTensor.Encode).ToList();
        WriteEncoded(path, encoded, specJson);
        return encoded.ToDictionary(e => e.Name, e => e.Decode());
    }

    /// <summary>Writes tensors already encoded (atomically).</summary>
    public static void WriteEncoded(string path, IReadOnlyList<EncodedTensor> encoded, string specJson)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var tensors = new List<SafetensorsTensor>();
        var encodings = new JsonObject();
        foreach (var e in encoded)
        {
            var info = new JsonObject
            {
                ["encoding"] = e.Encoding.Name(),
                ["shape"] = new JsonArray([.. e.Shape.Select(d => JsonValue.Create(d))]),
            };
            switch (e.Encoding)
            {
                case TensorEncoding.Dense:
                    tensors.Add(new SafetensorsTensor(e.Name, "F32", e.Shape, FloatBytes(e.Dense!)));
                    break;
                case TensorEncoding.Int8 or TensorEncoding.Int4:
                    info["scheme"] = e.Quantized!.Scheme.Name();
                    info["group_size"] = e.Quantized.GroupSize;
                    tensors.AddRange(QuantizedParts(e.Name, e.Quantized));
                    break;
                case TensorEncoding.Sparse:
                    tensors.Add(new SafetensorsTensor(e.Name + ".mask", "U8", [e.Sparse!.Mask.LongLength], e.Sparse.Mask));
                    tensors.Add(new SafetensorsTensor(e.Name + ".values", "F32", [e.Sparse.Kept], FloatBytes(e.Sparse.Values)));
                    break;
                default:
                    tensors.Add(new SafetensorsTensor(e.Name + ".mask", "U8", [e.Sparse!.Mask.LongLength], e.Sparse.Mask));
                    tensors.Add(new SafetensorsTensor(e.Name + ".values.q", "I8", [e.Sparse.Kept], e.Quantized!.Values));
                    tensors.Add(new SafetensorsTensor(e.Name + ".values.scale", "F32", [1], FloatBytes(e.Quantized.Scales)));
                    break;
            }
            encodings[e.Name] = info;
        }
        var metadata = new Dictionary<string, string>
        {
            [FormatKey] = FormatValue,
            [EncodingsKey] = encodings.ToJsonString(),
            [SpecKey] = specJson,
        };
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>Reads and decodes every tensor to fp32; returns the spec JSON stored beside them.</summary>
    public static (Dictionary<string, (long[] Shape, float[] Values)> Tensors, string SpecJson) Read(string path)
    {
        var (encoded, specJson) = ReadEncoded(path);
        var result = new Dictionary<string, (long[], float[])>();
        foreach (var e in encoded)
        {
            try { result[e.Name] = (e.Shape, e.Decode()); }
            catch (InvalidDataException ex) { throw new CompressedModelException($"{path}: '{e.Name}': {ex.Message}"); }
        }
        return (result, specJson);
    }

    /// <summary>Reads every tensor in its encoded form (validated part by part); returns the spec JSON stored beside them.</summary>
    public static (List<EncodedTensor> Tensors, string SpecJson) ReadEncoded(string path)
    {
        var header = SafetensorsReader.ReadHeader(path);
        var meta = header.Metadata;
        if (!meta.TryGetValue(FormatKey, out var format) || format != FormatValue)
            throw new CompressedModelException($"{path}: not a ScaleLab compressed model (metadata '{FormatKey}' is {(format is null ? "missing" : $"'{format}'")}, expected '{FormatValue}')");
        if (!meta.TryGetValue(EncodingsKey, out var encodingsJson) || !meta.TryGetValue(SpecKey, out var specJson))
            throw new CompressedModelException($"{path}: metadata '{EncodingsKey}' or '{SpecKey}' is missing");
        JsonObject encodings;
        try { encodings = JsonNode.Parse(encodingsJson)?.AsObject() ?? throw new JsonException("null"); }
        catch (JsonException ex) { throw new CompressedModelException($"{path}: metadata '{EncodingsKey}' is not valid JSON: {ex.Message}"); }

        var byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        byte[] Part(string name, string tensor)
        {
            if (!byName.TryGetValue(tensor, out var info))
                throw new CompressedModelException($"{path}: tensor '{name}' is missing its part '{tensor}'");
            return SafetensorsReader.ReadTensor(path, info);
        }

        var result = new List<EncodedTensor>();
        foreach (var (name, node) in encodings)
        {
            var info = node?.AsObject() ?? throw new CompressedModelException($"{path}: encoding of '{name}' is null");
            long[] shape = info["shape"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray() ?? throw new CompressedModelException($"{path}: '{name}' has no shape");
            long elements = shape.Aggregate(1L, (a, b) => checked(a * b));
            if (!TensorEncodingInfo.TryParse(info["encoding"]?.GetValue<string>(), out var encoding))
                throw new CompressedModelException($"{path}: '{name}' has unknown encoding '{info["encoding"]}' (expected one of {string.Join(", ", TensorEncodingInfo.All.Select(e => e.Name()))})");
            var tensor = new EncodedTensor(name, shape, encoding);
            result.Add(encoding switch
            {
                TensorEncoding.Dense => tensor with { Dense = Floats(Part(name, name), elements, path, name) },
                TensorEncoding.Int8 or TensorEncoding.Int4 => tensor with { Quantized = ReadQuantized(path, name, info, shape, elements, Part) },
                TensorEncoding.Sparse => tensor with { Sparse = CheckedSparse(new SparseTensor(shape, elements, Part(name, name + ".mask"), Floats(Part(name, name + ".values"), -1, path, name)), path, name) },
                _ => ReadSparseInt8(path, tensor, elements, Part),
            });
        }
        return (result, specJson);
    }

    private static IEnumerable<SafetensorsTensor> QuantizedParts(string name, QuantizedTensor q)
    {
        bool asymmetric = q.Scheme is QuantScheme.Int8PerTensorAsymmetric or QuantScheme.Int8PerChannelAsymmetric or QuantScheme.Int4GroupAsymmetric;
        if (q.IsInt4)
        {
            yield return new SafetensorsTensor(name + ".q4", "U8", [q.Values.LongLength], q.Values);
            yield return new SafetensorsTensor(name + ".scale", "F16", [q.Scales.LongLength], HalfBytes(q.Scales));
            if (asymmetric)
                yield return new SafetensorsTensor(name + ".zero4", "U8", [(q.ZeroPoints.LongLength + 1) / 2], WeightQuantizer.PackNibbles([.. q.ZeroPoints.Select(z => (byte)z)]));
            yield break;
        }
        yield return new SafetensorsTensor(name + ".q", "I8", q.Shape, q.Values);
        yield return new SafetensorsTensor(name + ".scale", "F32", [q.Scales.LongLength], FloatBytes(q.Scales));
        if (asymmetric)
            yield return new SafetensorsTensor(name + ".zero", "I8", [q.ZeroPoints.LongLength], [.. q.ZeroPoints.Select(z => unchecked((byte)(sbyte)z))]);
    }

    private static QuantizedTensor ReadQuantized(string path, string name, JsonObject info, long[] shape, long elements, Func<string, string, byte[]> part)
    {
        if (!QuantSchemeInfo.TryParse(info["scheme"]?.GetValue<string>(), out var scheme))
            throw new CompressedModelException($"{path}: '{name}' has unknown quantization scheme '{info["scheme"]}'");
        int group = info["group_size"]?.GetValue<int>() ?? 0;
        long rows = shape.Length == 0 ? 1 : shape[0];
        long columns = rows == 0 ? 0 : elements / rows;
        bool int4 = scheme is QuantScheme.Int4GroupSymmetric or QuantScheme.Int4GroupAsymmetric;
        long scaleCount = int4
            ? rows * ((columns + Math.Max(group, 1) - 1) / Math.Max(group, 1))
            : scheme is QuantScheme.Int8PerChannelSymmetric or QuantScheme.Int8PerChannelAsymmetric ? rows : 1;
        if (int4 && !WeightQuantizer.SupportedGroupSizes.Contains(group))
            throw new CompressedModelException($"{path}: '{name}' has int4 group size {group}, expected 32, 64 or 128");
        byte[] values = part(name, name + (int4 ? ".q4" : ".q"));
        long expectedBytes = int4 ? (elements + 1) / 2 : elements;
        if (values.LongLength != expectedBytes)
            throw new CompressedModelException($"{path}: '{name}' holds {values.LongLength} value bytes, expected {expectedBytes} for shape [{string.Join(", ", shape)}]");
        float[] scales = int4 ? Halves(part(name, name + ".scale"), scaleCount, path, name) : Floats(part(name, name + ".scale"), scaleCount, path, name);
        var zeros = new int[scaleCount];
        if (scheme == QuantScheme.Int4GroupAsymmetric)
        {
            var packed = part(name, name + ".zero4");
            for (long k = 0; k < scaleCount; k++) zeros[k] = (packed[k >> 1] >> (int)((k & 1) * 4)) & 0xF;
        }
        else if (scheme is QuantScheme.Int8PerTensorAsymmetric or QuantScheme.Int8PerChannelAsymmetric)
        {
            var z = part(name, name + ".zero");
            if (z.LongLength != scaleCount) throw new CompressedModelException($"{path}: '{name}.zero' holds {z.LongLength} zero-points, expected {scaleCount}");
            for (long k = 0; k < scaleCount; k++) zeros[k] = (sbyte)z[k];
        }
        return new QuantizedTensor(scheme, shape, rows, columns, group, values, scales, zeros);
    }

    private static EncodedTensor ReadSparseInt8(string path, EncodedTensor tensor, long elements, Func<string, string, byte[]> part)
    {
        string name = tensor.Name;
        var q = part(name, name + ".values.q");
        var scale = Floats(part(name, name + ".values.scale"), 1, path, name);
        var quantized = new QuantizedTensor(QuantScheme.Int8PerTensorSymmetric, [1, q.LongLength], 1, q.LongLength, 0, q, scale, [0]);
        var values = WeightQuantizer.Dequantize(quantized);
        var sparse = CheckedSparse(new SparseTensor(tensor.Shape, elements, part(name, name + ".mask"), values), path, name);
        return tensor with { Sparse = sparse, Quantized = quantized };
    }

    /// <summary>The mask's size is right and it keeps exactly as many weights as there are values.</summary>
    private static SparseTensor CheckedSparse(SparseTensor sparse, string path, string name)
    {
        if (sparse.Mask.LongLength != (sparse.Elements + 7) / 8)
            throw new CompressedModelException($"{path}: '{name}.mask' holds {sparse.Mask.LongLength} bytes, expected {(sparse.Elements + 7) / 8} for {sparse.Elements} weights");
        try { sparse.ToDense(); }
        catch (InvalidDataException ex) { throw new CompressedModelException($"{path}: '{name}': {ex.Message}"); }
        return sparse;
    }

    private static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.LongLength * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static byte[] HalfBytes(float[] values)
    {
        var bytes = new byte[values.LongLength * 2];
        for (long i = 0; i < values.LongLength; i++)
            BitConverter.TryWriteBytes(bytes.AsSpan((int)(i * 2), 2), (Half)values[i]);
        return bytes;
    }

    private static float[] Floats(byte[] bytes, long expected, string path, string name)
    {
        if (bytes.Length % 4 != 0 || (expected >= 0 && bytes.LongLength != expected * 4))
            throw new CompressedModelException(string.Create(CultureInfo.InvariantCulture, $"{path}: '{name}' part holds {bytes.Length} bytes, expected {expected * 4}"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static float[] Halves(byte[] bytes, long expected, string path, string name)
    {
        if (bytes.LongLength != expected * 2)
            throw new CompressedModelException(string.Create(CultureInfo.InvariantCulture, $"{path}: '{name}.scale' holds {bytes.Length} bytes, expected {expected * 2}"));
        var values = new float[expected];
        for (long i = 0; i < expected; i++) values[i] = (float)BitConverter.ToHalf(bytes, (int)(i * 2));
        return values;
    }
}
