using ScaleLab.Core.Formats.Gguf;

namespace ScaleLab.Core.Tests.Formats;

public sealed class GgufReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Read_SmallLlamaLikeFile_ReportsVersionMetadataAndTensors()
    {
        string path = new GgufBuilder()
            .String("general.architecture", "llama")
            .UInt32("llama.block_count", 2)
            .Add("llama.rope.freq_base", GgufValueType.Float32, w => w.Write(10000f))
            .Add("tokenizer.ggml.tokens", GgufValueType.Array, w =>
            {
                w.Write((uint)GgufValueType.String);
                w.Write(3UL);
                foreach (string t in new[] { "<s>", "a", "ü" }) GgufBuilder.WriteString(w, t);
            })
            .Tensor("token_embd.weight", GgmlType.Q4_K, 256, 10)
            .Tensor("blk.0.attn_norm.weight", GgmlType.F32, 256)
            .Write(_folder);

        var header = GgufReader.ReadHeader(path);

        Assert.Equal(3u, header.Version);
        Assert.Equal(32u, header.Alignment);
        Assert.Equal("llama", header.Architecture);
        Assert.Equal(2u, header.Find("llama.block_count"));
        Assert.Equal(10000f, header.Find("llama.rope.freq_base"));
        var tokens = Assert.IsType<GgufArray>(header.Find("tokenizer.ggml.tokens"));
        Assert.Equal(["<s>", "a", "ü"], tokens.Values);
        Assert.Equal(0, header.DataStart % 32);
        var embedding = header.Tensors[0];
        Assert.Equal("token_embd.weight", embedding.Name);
        Assert.Equal([256L, 10], embedding.Dimensions);
        Assert.Equal([10L, 256], embedding.Shape);
        Assert.Equal(2560, embedding.Elements);
        Assert.Equal(10 * 144, embedding.ByteCount); // ten Q4_K blocks of 256 elements, 144 bytes each
        Assert.Equal(1440, header.Tensors[1].Offset); // 1440 = 45 × 32, already aligned
        Assert.Equal(header.DataStart + header.Tensors[1].Offset, header.Tensors[1].FileOffset);
    }

    [Fact]
    public void Read_EveryScalarValueType_RoundTrips()
    {
        var builder = new GgufBuilder()
            .Add("u8", GgufValueType.UInt8, w => w.Write((byte)200))
            .Add("i8", GgufValueType.Int8, w => w.Write((sbyte)-5))
            .Add("u16", GgufValueType.UInt16, w => w.Write((ushort)60000))
            .Add("i16", GgufValueType.Int16, w => w.Write((short)-30000))
            .Add("u32", GgufValueType.UInt32, w => w.Write(4000000000u))
            .Add("i32", GgufValueType.Int32, w => w.Write(-2000000000))
            .Add("f32", GgufValueType.Float32, w => w.Write(1.5f))
            .Add("bool", GgufValueType.Bool, w => w.Write((byte)1))
            .Add("u64", GgufValueType.UInt64, w => w.Write(ulong.MaxValue))
            .Add("i64", GgufValueType.Int64, w => w.Write(long.MinValue))
            .Add("f64", GgufValueType.Float64, w => w.Write(-2.25))
            .Add("nested", GgufValueType.Array, w =>
            {
                w.Write((uint)GgufValueType.Array);
                w.Write(1UL);
                w.Write((uint)GgufValueType.Int16);
                w.Write(2UL);
                w.Write((short)7);
                w.Write((short)-7);
            });
        var header = GgufReader.ReadHeader(builder.Write(_folder));

        object?[] expected = [(byte)200, (sbyte)-5, (ushort)60000, (short)-30000, 4000000000u, -2000000000, 1.5f, true, ulong.MaxValue, long.MinValue, -2.25];
        Assert.Equal(expected, header.Metadata.Take(11).Select(e => e.Value));
        var outer = Assert.IsType<GgufArray>(header.Find("nested"));
        var inner = Assert.IsType<GgufArray>(Assert.Single(outer.Values));
        Assert.Equal([(short)7, (short)-7], inner.Values);
    }

    [Fact]
    public void Read_LongArray_KeepsTheFirst1024ElementsAndTheFullLength()
    {
        string path = new GgufBuilder().Add("scores", GgufValueType.Array, w =>
        {
            w.Write((uint)GgufValueType.Float32);
            w.Write(5000UL);
            for (int i = 0; i < 5000; i++) w.Write((float)i);
        }).String("after", "still read").Write(_folder);

        var header = GgufReader.ReadHeader(path);
        var scores = Assert.IsType<GgufArray>(header.Find("scores"));
        Assert.Equal(5000, scores.Length);
        Assert.Equal(GgufLimits.MaxRetainedArrayElements, scores.Values.Count);
        Assert.False(scores.IsComplete);
        Assert.Equal(1023f, scores.Values[^1]);
        Assert.Equal("still read", header.Find("after"));
    }

    [Fact]
    public void Read_CustomAlignment_PlacesTheDataSectionOnIt()
    {
        var builder = new GgufBuilder { Alignment = 64 }.UInt32("general.alignment", 64).Tensor("w", GgmlType.F16, 3).Tensor("v", GgmlType.I8, 5);
        var header = GgufReader.ReadHeader(builder.Write(_folder));
        Assert.Equal(64u, header.Alignment);
        Assert.Equal(0, header.DataStart % 64);
        Assert.Equal([0L, 64], header.Tensors.Select(t => t.Offset));
    }

    [Theory]
    [InlineData(GgmlType.Q4_0, 4096L * 4096 / 32 * 18)]
    [InlineData(GgmlType.Q8_0, 4096L * 4096 / 32 * 34)]
    [InlineData(GgmlType.Q2_K, 4096L * 4096 / 256 * 84)]
    [InlineData(GgmlType.Q6_K, 4096L * 4096 / 256 * 210)]
    [InlineData(GgmlType.IQ4_XS, 4096L * 4096 / 256 * 136)]
    [InlineData(GgmlType.BF16, 4096L * 4096 * 2)]
    public void Read_QuantizedTensor_HasBlockByteCount(GgmlType type, long expectedBytes)
    {
        // Header only, with the data section left sparse (SetLength) so the test stays small on disk and in memory.
        string path = _folder.File("q.gguf");
        byte[] headerOnly = new GgufBuilder().RawTensor("w", [4096, 4096], (uint)type, 0, 0).Build();
        using (var stream = File.Create(path))
        {
            stream.Write(headerOnly);
            stream.SetLength(headerOnly.Length + expectedBytes);
        }

        var tensor = Assert.Single(GgufReader.ReadHeader(path).Tensors);
        Assert.Equal(expectedBytes, tensor.ByteCount);
    }
}
