using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace ScaleLab.Torch.Tests.Compression.CompressedTensors;

/// <summary>
/// A compressed-tensors checkpoint reader written for the tests from the format's specification alone — safetensors
/// (huggingface/safetensors README: u64 little-endian header length, JSON header, data) and compressed-tensors 0.14
/// (naive_quantized/base.py, pack_quantized/helpers.py unpack_from_int32, sparse_bitmask.py bitmask_decompress with
/// numpy unpackbits bitorder "little", lifecycle/forward.py dequantize: (q − zp) · scale, group = column / group_size).
/// It shares no code with ScaleLab's writer or readers, so a misunderstanding of the format cannot cancel out.
/// </summary>
internal sealed class SpecCompressedTensorsReader
{
    public sealed record RawTensor(string DType, long[] Shape, byte[] Data);

    public IReadOnlyDictionary<string, RawTensor> Tensors { get; }

    public JsonElement QuantizationConfig { get; }

    public SpecCompressedTensorsReader(string folder)
    {
        byte[] file = File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength));
        var tensors = new Dictionary<string, RawTensor>();
        foreach (var p in header.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            var data = file.AsSpan((int)(8 + headerLength + offsets[0]), (int)(offsets[1] - offsets[0])).ToArray();
            tensors[p.Name] = new RawTensor(p.Value.GetProperty("dtype").GetString()!, [.. p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())], data);
        }
        Tensors = tensors;
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        QuantizationConfig = config.RootElement.GetProperty("quantization_config").Clone();
    }

    /// <summary>The fp32 weight of <paramref name="module"/> as compressed-tensors would decompress it.</summary>
    public float[] Weight(string module, JsonElement? weightArgs, bool sparse)
    {
        if (sparse) return Bitmask(module, weightArgs);
        var args = weightArgs ?? throw new InvalidOperationException($"{module} is neither quantized nor sparse");
        return Tensors.ContainsKey(module + ".weight_packed") ? Packed(module, args) : Naive(module, args);
    }

    private float[] Naive(string module, JsonElement args)
    {
        var w = Tensors[module + ".weight"];
        long rows = w.Shape[0], columns = w.Shape[1];
        var q = w.Data.Select(b => (int)(sbyte)b).ToArray();
        return Dequantize(q, rows, columns, module, args);
    }

    private float[] Packed(string module, JsonElement args)
    {
        int bits = args.GetProperty("num_bits").GetInt32();
        var shape = Longs(Tensors[module + ".weight_shape"].Data);
        long rows = shape[0], columns = shape[1];
        var packed = Tensors[module + ".weight_packed"];
        long words = packed.Shape[1];
        var q = new int[rows * columns];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                q[r * columns + c] = ReadBits(packed.Data, r * words, c * bits, bits) - (1 << (bits - 1));
        return Dequantize(q, rows, columns, module, args);
    }

    /// <summary>Element i of a packed row sits at bits [i·b, (i+1)·b) of its little-endian int32 words.</summary>
    private static int ReadBits(byte[] data, long firstWord, long bit, int bits)
    {
        int value = 0;
        for (int k = 0; k < bits; k++)
        {
            long at = bit + k;
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)((firstWord + at / 32) * 4)));
            value |= (int)((word >> (int)(at % 32)) & 1u) << k;
        }
        return value;
    }

    private float[] Dequantize(int[] q, long rows, long columns, string module, JsonElement args)
    {
        var scale = Floats(Tensors[module + ".weight_scale"].Data);
        string strategy = args.GetProperty("strategy").GetString()!;
        int group = strategy == "group" ? args.GetProperty("group_size").GetInt32() : 0;
        long groups = strategy == "group" ? (columns + group - 1) / group : 1;
        var zero = new int[scale.Length];
        if (!args.GetProperty("symmetric").GetBoolean())
        {
            var zp = Tensors[module + ".weight_zero_point"];
            if (zp.DType == "I32")
            {
                // pack_to_int32(zero_point, packed_dim=0): each column of the (rows, groups) matrix is packed down the rows.
                int bits = args.GetProperty("num_bits").GetInt32();
                for (long r = 0; r < rows; r++)
                    for (long g = 0; g < groups; g++)
                    {
                        long at = r * bits;
                        int value = 0;
                        for (int k = 0; k < bits; k++, at++)
                        {
                            uint word = BinaryPrimitives.ReadUInt32LittleEndian(zp.Data.AsSpan((int)(((at / 32) * groups + g) * 4)));
                            value |= (int)((word >> (int)(at % 32)) & 1u) << k;
                        }
                        zero[r * groups + g] = value - (1 << (bits - 1));
                    }
            }
            else
            {
                for (int k = 0; k < zero.Length; k++) zero[k] = (sbyte)zp.Data[k];
            }
        }
        var w = new float[rows * columns];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
            {
                long k = strategy switch { "tensor" => 0, "channel" => r, _ => r * groups + c / group };
                w[r * columns + c] = scale[k] * (q[r * columns + c] - zero[k]);
            }
        return w;
    }

    private float[] Bitmask(string module, JsonElement? weightArgs)
    {
        var shape = Longs(Tensors[module + ".shape"].Data);
        long rows = shape[0], columns = shape[1];
        var bitmask = Tensors[module + ".bitmask"];
        var compressed = Tensors[module + ".compressed"];
        var offsets = Longs(Tensors[module + ".row_offsets"].Data);
        bool int8 = compressed.DType == "I8";
        var dense = new float[rows * columns];
        var q = new int[rows * columns];
        long next = 0;
        for (long r = 0; r < rows; r++)
        {
            if (offsets[r] != next) throw new InvalidDataException($"{module}: row {r} starts at value {offsets[r]}, expected {next}");
            for (long c = 0; c < columns; c++)
            {
                if ((bitmask.Data[r * bitmask.Shape[1] + c / 8] >> (int)(c % 8) & 1) == 0) continue;
                if (int8) q[r * columns + c] = (sbyte)compressed.Data[next];
                else dense[r * columns + c] = BitConverter.ToSingle(compressed.Data, (int)(next * 4));
                next++;
            }
        }
        if (next * (int8 ? 1 : 4) != compressed.Data.LongLength) throw new InvalidDataException($"{module}: the bitmask keeps {next} values, {compressed.Shape[0]} are stored");
        return int8 ? Dequantize(q, rows, columns, module, weightArgs!.Value) : dense;
    }

    private static float[] Floats(byte[] data) => Enumerable.Range(0, data.Length / 4).Select(i => BitConverter.ToSingle(data, i * 4)).ToArray();

    private static long[] Longs(byte[] data) => Enumerable.Range(0, data.Length / 8).Select(i => BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(i * 8))).ToArray();
}
