using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleLab.Core;
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
    public const string FormatKey = "scalelab.format";
    public const string FormatValue = "compressed/1";
    public const string EncodingsKey = "scalelab.encodings";
    public const string SpecKey = "scalelab.spec";

    /// <summary>One tensor to store: its fp32 values (row-major), shape and how to encode them.</summary>
    public sealed record Entry(string Name, long[] Shape, float[] Values, TensorEncoding Encoding, QuantScheme Scheme = QuantScheme.Int8PerChannelSymmetric, int GroupSize = 64);

    /// <summary>Encodes and writes atomically; returns the decoded values (what a reader will get back) per tensor.</summary>
    public static Dictionary<string, float[]> Write(string path, IReadOnlyList<Entry> entries, string specJson)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var tensors = new List<SafetensorsTensor>();
        var encodings = new JsonObject();
        var decoded = new Dictionary<string, float[]>();
        foreach (var e in entries)
        {
            var info = new JsonObject
            {
                ["encoding"] = e.Encoding.Name(),
                ["shape"] = new JsonArray([.. e.Shape.Select(d => JsonValue.Create(d))]),
            };
            switch (e.Encoding)
            {
                case TensorEncoding.Dense:
                    tensors.Add(new SafetensorsTensor(e.Name, "F32", e.Shape, FloatBytes(e.Values)));
                    decoded[e.Name] = e.Values;
                    break;
                case TensorEncoding.Int8 or TensorEncoding.Int4:
                    {
                        var q = WeightQuantizer.Quantize(e.Values, e.Shape, e.Scheme, e.GroupSize);
                        info["scheme"] = e.Scheme.Name();
                        info["group_size"] = q.GroupSize;
                        tensors.AddRange(QuantizedParts(e.Name, q));
                        decoded[e.Name] = WeightQuantizer.Dequantize(q);
                        break;
                    }
                case TensorEncoding.Sparse or TensorEncoding.SparseInt8:
                    {
                        var sparse = SparseTensor.FromDense(e.Values, e.Shape);
                        tensors.Add(new SafetensorsTensor(e.Name + ".mask", "U8", [sparse.Mask.LongLength], sparse.Mask));
                        if (e.Encoding == TensorEncoding.Sparse)
                        {
                            tensors.Add(new SafetensorsTensor(e.Name + ".values", "F32", [sparse.Kept], FloatBytes(sparse.Values)));
                            decoded[e.Name] = sparse.ToDense();
                            break;
                        }
                        var q = WeightQuantizer.Quantize(sparse.Values, [1, sparse.Kept], QuantScheme.Int8PerTensorSymmetric);
                        tensors.Add(new SafetensorsTensor(e.Name + ".values.q", "I8", [sparse.Kept], q.Values));
                        tensors.Add(new SafetensorsTensor(e.Name + ".values.scale", "F32", [1], FloatBytes(q.Scales)));
                        decoded[e.Name] = (sparse with { Values = WeightQuantizer.Dequantize(q) }).ToDense();
                        break;
                    }
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
        return decoded;
    }

    /// <summary>Reads and decodes every tensor to fp32; returns the spec JSON stored beside them.</summary>
    public static (Dictionary<string, (long[] Shape, float[] Values)> Tensors, string SpecJson) Read(string path)
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

        var result = new Dictionary<string, (long[], float[])>();
        foreach (var (name, node) in encodings)
        {
            var info = node?.AsObject() ?? throw new CompressedModelException($"{path}: encoding of '{name}' is null");
            long[] shape = info["shape"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray() ?? throw new CompressedModelException($"{path}: '{name}' has no shape");
            long elements = shape.Aggregate(1L, (a, b) => checked(a * b));
            if (!TensorEncodingInfo.TryParse(info["encoding"]?.GetValue<string>(), out var encoding))
                throw new CompressedModelException($"{path}: '{name}' has unknown encoding '{info["encoding"]}' (expected one of {string.Join(", ", TensorEncodingInfo.All.Select(e => e.Name()))})");
            float[] values = encoding switch
            {
                TensorEncoding.Dense => Floats(Part(name, name), elements, path, name),
                TensorEncoding.Int8 or TensorEncoding.Int4 => DecodeQuantized(path, name, info, shape, elements, Part),
                TensorEncoding.Sparse => new SparseTensor(shape, elements, Part(name, name + ".mask"), Floats(Part(name, name + ".values"), -1, path, name)).ToDenseChecked(path, name),
                _ => DecodeSparseInt8(path, name, shape, elements, Part),
            };
            result[name] = (shape, values);
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

    private static float[] DecodeQuantized(string path, string name, JsonObject info, long[] shape, long elements, Func<string, string, byte[]> part)
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
        return WeightQuantizer.Dequantize(new QuantizedTensor(scheme, shape, rows, columns, group, values, scales, zeros));
    }

    private static float[] DecodeSparseInt8(string path, string name, long[] shape, long elements, Func<string, string, byte[]> part)
    {
        var q = part(name, name + ".values.q");
        var scale = Floats(part(name, name + ".values.scale"), 1, path, name);
        var values = q.Select(b => scale[0] * (sbyte)b).ToArray();
        return new SparseTensor(shape, elements, part(name, name + ".mask"), values).ToDenseChecked(path, name);
    }

    private static float[] ToDenseChecked(this SparseTensor sparse, string path, string name)
    {
        if (sparse.Mask.LongLength != (sparse.Elements + 7) / 8)
            throw new CompressedModelException($"{path}: '{name}.mask' holds {sparse.Mask.LongLength} bytes, expected {(sparse.Elements + 7) / 8} for {sparse.Elements} weights");
        try { return sparse.ToDense(); }
        catch (InvalidDataException ex) { throw new CompressedModelException($"{path}: '{name}': {ex.Message}"); }
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
