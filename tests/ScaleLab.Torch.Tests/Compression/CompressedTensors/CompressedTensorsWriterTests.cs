using System.Text.Json;
using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Compression.CompressedTensors;

namespace ScaleLab.Torch.Tests.Compression.CompressedTensors;

/// <summary>
/// ScaleLab's compressed-tensors checkpoints read back by <see cref="SpecCompressedTensorsReader"/>: the names,
/// dtypes and shapes the format prescribes, and weights that decompress to exactly what ScaleLab evaluated.
/// </summary>
public sealed class CompressedTensorsWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scalelab-ct-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Spec = """{"name":"t","input":[300],"layers":[{"type":"linear","units":100}]}""";

    private static float[] Weights(int count, double keep, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextDouble() < keep ? (float)(rng.NextDouble() - 0.5) : 0f).ToArray();
    }

    /// <summary>A 100 × 300 linear weight (rows not a multiple of 8, columns of neither 8 nor the group), its bias, and a conv kernel.</summary>
    private (Dictionary<string, float[]> Decoded, SpecCompressedTensorsReader Reader) WriteModel(TensorEncoding encoding, QuantScheme scheme, int group)
    {
        bool sparse = encoding is TensorEncoding.Sparse or TensorEncoding.SparseInt8;
        CompressedModelFile.Entry[] entries =
        [
            new("layers.0.weight", [100, 300], Weights(30_000, sparse ? 0.1 : 1.0, 1), encoding, scheme, group),
            new("layers.0.bias", [100], Weights(100, 1.0, 2), TensorEncoding.Dense),
            new("layers.1.weight", [4, 1, 3, 3], Weights(36, 1.0, 3), encoding, scheme, group == 0 ? 64 : group),
        ];
        var encoded = entries.Select(EncodedTensor.Encode).ToList();
        CompressedTensorsWriter.Write(_dir, encoded, Spec);
        return (encoded.ToDictionary(e => e.Name, e => e.Decode()), new SpecCompressedTensorsReader(_dir));
    }

    public static TheoryData<TensorEncoding, QuantScheme, int, string, string[]> Cases => new()
    {
        { TensorEncoding.Int8, QuantScheme.Int8PerChannelSymmetric, 0, "naive-quantized", ["weight:I8:100,300", "weight_scale:F32:100,1"] },
        { TensorEncoding.Int8, QuantScheme.Int8PerChannelAsymmetric, 0, "naive-quantized", ["weight:I8:100,300", "weight_scale:F32:100,1", "weight_zero_point:I8:100,1"] },
        { TensorEncoding.Int8, QuantScheme.Int8PerTensorAsymmetric, 0, "naive-quantized", ["weight:I8:100,300", "weight_scale:F32:1", "weight_zero_point:I8:1"] },
        { TensorEncoding.Int4, QuantScheme.Int4GroupSymmetric, 64, "pack-quantized", ["weight_packed:I32:100,38", "weight_scale:F32:100,5", "weight_shape:I64:2"] },
        { TensorEncoding.Int4, QuantScheme.Int4GroupAsymmetric, 32, "pack-quantized", ["weight_packed:I32:100,38", "weight_scale:F32:100,10", "weight_shape:I64:2", "weight_zero_point:I32:13,10"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void QuantizedLinear_IsStoredAsTheFormatPrescribes_AndDequantizesExactly(TensorEncoding encoding, QuantScheme scheme, int group, string format, string[] parts)
    {
        // Given a model written in compressed-tensors form
        var (decoded, reader) = WriteModel(encoding, scheme, group);

        // Then the linear layer holds exactly the format's parameters, dtypes and shapes
        var stored = reader.Tensors.Where(t => t.Key.StartsWith("layers.0.", StringComparison.Ordinal) && t.Key != "layers.0.bias")
            .Select(t => $"{t.Key["layers.0.".Length..]}:{t.Value.DType}:{string.Join(',', t.Value.Shape)}").Order(StringComparer.Ordinal);
        Assert.Equal(parts.Order(StringComparer.Ordinal), stored);

        // And config.json names the method, format and quantization arguments of its one weight-only group
        var q = reader.QuantizationConfig;
        Assert.Equal("compressed-tensors", q.GetProperty("quant_method").GetString());
        Assert.Equal("compressed", q.GetProperty("quantization_status").GetString());
        Assert.Equal(format, q.GetProperty("format").GetString());
        var group0 = q.GetProperty("config_groups").GetProperty("group_0");
        Assert.Equal(["layers.0"], group0.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        var args = group0.GetProperty("weights");
        Assert.Equal(encoding == TensorEncoding.Int4 ? 4 : 8, args.GetProperty("num_bits").GetInt32());
        Assert.Equal(QuantSchemeInfo.IsSymmetric(scheme), args.GetProperty("symmetric").GetBoolean());
        Assert.Equal(encoding == TensorEncoding.Int4 ? "group" : QuantSchemeInfo.IsPerTensor(scheme) ? "tensor" : "channel", args.GetProperty("strategy").GetString());
        Assert.Equal(JsonValueKind.Null, group0.GetProperty("input_activations").ValueKind);

        // And the weight decompresses to exactly the values ScaleLab evaluated
        Assert.Equal(decoded["layers.0.weight"], reader.Weight("layers.0", args, sparse: false));
        AssertTheRestIsDenseFp32(decoded, reader);
    }

    [Theory]
    [InlineData(TensorEncoding.Sparse, "F32")]
    [InlineData(TensorEncoding.SparseInt8, "I8")]
    public void PrunedLinear_IsSparseBitmask_AndDecompressesExactly(TensorEncoding encoding, string valuesDType)
    {
        var (decoded, reader) = WriteModel(encoding, QuantScheme.Int8PerChannelSymmetric, 0);

        long kept = decoded["layers.0.weight"].LongCount(v => v != 0);
        Assert.Equal("I64:2", Describe(reader, "layers.0.shape"));
        Assert.Equal($"{valuesDType}:{kept}", Describe(reader, "layers.0.compressed"));
        Assert.Equal("U8:100,38", Describe(reader, "layers.0.bitmask"));
        Assert.Equal("I64:100", Describe(reader, "layers.0.row_offsets"));
        Assert.False(reader.Tensors.ContainsKey("layers.0.weight"));

        var sparsity = reader.QuantizationConfig.GetProperty("sparsity_config");
        Assert.Equal("sparse-bitmask", sparsity.GetProperty("format").GetString());
        Assert.Equal(["layers.0"], sparsity.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        JsonElement? args = null;
        if (encoding == TensorEncoding.SparseInt8)
        {
            Assert.Equal("F32:1", Describe(reader, "layers.0.weight_scale"));
            args = reader.QuantizationConfig.GetProperty("config_groups").GetProperty("group_0").GetProperty("weights");
            Assert.Equal("tensor", args.Value.GetProperty("strategy").GetString());
        }
        else
        {
            Assert.False(reader.QuantizationConfig.TryGetProperty("config_groups", out _));
        }

        Assert.Equal(decoded["layers.0.weight"], reader.Weight("layers.0", args, sparse: true));
        AssertTheRestIsDenseFp32(decoded, reader);
    }

    private static string Describe(SpecCompressedTensorsReader reader, string name) =>
        $"{reader.Tensors[name].DType}:{string.Join(',', reader.Tensors[name].Shape)}";

    /// <summary>Biases and conv kernels (compressed-tensors compresses linear layers only) are the decoded fp32 values.</summary>
    private static void AssertTheRestIsDenseFp32(Dictionary<string, float[]> decoded, SpecCompressedTensorsReader reader)
    {
        foreach (string name in new[] { "layers.0.bias", "layers.1.weight" })
        {
            var t = reader.Tensors[name];
            Assert.Equal("F32", t.DType);
            Assert.Equal(decoded[name], Enumerable.Range(0, t.Data.Length / 4).Select(i => BitConverter.ToSingle(t.Data, i * 4)));
        }
        Assert.Equal([4L, 1, 3, 3], reader.Tensors["layers.1.weight"].Shape);
    }

    [Fact]
    public void PackQuantized_PacksEightValuesAWord_FirstInTheLowBits_RowsPaddedToWholeWords()
    {
        // Given one row of nine int4 values q = 1..7, −1, 0 (ScaleLab's symmetric nibbles hold q + 8)
        byte[] nibbles = [9, 10, 11, 12, 13, 14, 15, 7, 8];
        var q = new QuantizedTensor(QuantScheme.Int4GroupSymmetric, [1, 9], 1, 9, 32, WeightQuantizer.PackNibbles(nibbles), [0.5f], [0]);
        CompressedTensorsWriter.Write(_dir, [new EncodedTensor("fc.weight", [1, 9], TensorEncoding.Int4) { Quantized = q }], Spec);

        // Then the row is two int32 words: 0x7FEDCBA9 (values 0–7, q + 8 each) and 0x00000008 (value 8, then padding)
        var packed = new SpecCompressedTensorsReader(_dir).Tensors["fc.weight_packed"];
        Assert.Equal("I32:1,2", $"{packed.DType}:{string.Join(',', packed.Shape)}");
        Assert.Equal([0x7FEDCBA9u, 0x00000008u], new[] { BitConverter.ToUInt32(packed.Data, 0), BitConverter.ToUInt32(packed.Data, 4) });
    }
}
