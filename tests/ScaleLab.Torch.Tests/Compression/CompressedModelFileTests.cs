using ScaleLab.Core.Formats.Safetensors;
using ScaleLab.Torch.Compression;

namespace ScaleLab.Torch.Tests.Compression;

public sealed class CompressedModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scalelab-compressed-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Weights(int count, double keep, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextDouble() < keep ? (float)(rng.NextDouble() - 0.5) : 0f).ToArray();
    }

    private const string Spec = """{"name":"t","input":[300],"layers":[{"type":"linear","units":100}]}""";

    public static TheoryData<TensorEncoding, QuantScheme> Encodings => new()
    {
        { TensorEncoding.Dense, QuantScheme.Int8PerChannelSymmetric },
        { TensorEncoding.Int8, QuantScheme.Int8PerChannelSymmetric },
        { TensorEncoding.Int8, QuantScheme.Int8PerChannelAsymmetric },
        { TensorEncoding.Int8, QuantScheme.Int8PerTensorSymmetric },
        { TensorEncoding.Int8, QuantScheme.Int8PerTensorAsymmetric },
        { TensorEncoding.Int4, QuantScheme.Int4GroupSymmetric },
        { TensorEncoding.Int4, QuantScheme.Int4GroupAsymmetric },
        { TensorEncoding.Sparse, QuantScheme.Int8PerChannelSymmetric },
        { TensorEncoding.SparseInt8, QuantScheme.Int8PerChannelSymmetric },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Write_ThenRead_GivesBackExactlyTheDecodedWeights(TensorEncoding encoding, QuantScheme scheme)
    {
        // Given a 100x300 weight (10% kept for the sparse encodings) and a dense bias
        var w = Weights(30_000, encoding is TensorEncoding.Sparse or TensorEncoding.SparseInt8 ? 0.1 : 1.0, 1);
        var b = Weights(100, 1.0, 2);
        string path = Path.Combine(_dir, "m.safetensors");

        // When written and read back
        var decoded = CompressedModelFile.Write(path,
            [new("layers.0.weight", [100, 300], w, encoding, scheme, 64), new("layers.0.bias", [100], b, TensorEncoding.Dense)], Spec);
        var (tensors, spec) = CompressedModelFile.Read(path);

        // Then every tensor comes back bit for bit as the writer decoded it, with its shape and the spec
        Assert.Equal(decoded["layers.0.weight"], tensors["layers.0.weight"].Values);
        Assert.Equal(b, tensors["layers.0.bias"].Values);
        Assert.Equal([100L, 300], tensors["layers.0.weight"].Shape);
        Assert.Equal(Spec, spec);
        if (encoding is TensorEncoding.Dense or TensorEncoding.Sparse) Assert.Equal(w, tensors["layers.0.weight"].Values);
    }

    [Theory]
    [InlineData(TensorEncoding.Int8, 0.27)]
    [InlineData(TensorEncoding.Int4, 0.15)]
    [InlineData(TensorEncoding.Sparse, 0.25)]
    public void Files_ShrinkByWhatTheEncodingPromises(TensorEncoding encoding, double maxRatio)
    {
        var w = Weights(300 * 784, encoding == TensorEncoding.Sparse ? 0.1 : 1.0, 3);
        string dense = Path.Combine(_dir, "dense.safetensors"), small = Path.Combine(_dir, "small.safetensors");
        CompressedModelFile.Write(dense, [new("w", [300, 784], w, TensorEncoding.Dense)], Spec);
        CompressedModelFile.Write(small, [new("w", [300, 784], w, encoding, encoding == TensorEncoding.Int4 ? QuantScheme.Int4GroupSymmetric : QuantScheme.Int8PerChannelSymmetric, 64)], Spec);
        double ratio = (double)new FileInfo(small).Length / new FileInfo(dense).Length;
        Assert.True(ratio <= maxRatio, $"{encoding}: {ratio:P1} of fp32");
    }

    [Fact]
    public void Read_RejectsAPlainCheckpoint_NamingTheFile()
    {
        string path = Path.Combine(_dir, "plain.safetensors");
        SafetensorsWriter.Write(path, [new SafetensorsTensor("w", "F32", [1], new byte[4])], null);
        var ex = Assert.Throws<CompressedModelException>(() => CompressedModelFile.Read(path));
        Assert.Equal($"{path}: not a ScaleLab compressed model (metadata 'scalelab.format' is missing, expected 'compressed/1')", ex.Message);
    }

    [Fact]
    public void Read_RejectsAMissingPart()
    {
        string path = Path.Combine(_dir, "missing.safetensors");
        var meta = new Dictionary<string, string>
        {
            [CompressedModelFile.FormatKey] = CompressedModelFile.FormatValue,
            [CompressedModelFile.EncodingsKey] = """{"w":{"encoding":"Int8","shape":[2,2],"scheme":"Int8PerChannelSymmetric","group_size":0}}""",
            [CompressedModelFile.SpecKey] = Spec,
        };
        SafetensorsWriter.Write(path, [new SafetensorsTensor("w.q", "I8", [2, 2], new byte[4])], meta);
        var ex = Assert.Throws<CompressedModelException>(() => CompressedModelFile.Read(path));
        Assert.Equal($"{path}: tensor 'w' is missing its part 'w.scale'", ex.Message);
    }

    [Fact]
    public void Read_RejectsAnUnknownEncoding()
    {
        string path = Path.Combine(_dir, "unknown.safetensors");
        var meta = new Dictionary<string, string>
        {
            [CompressedModelFile.FormatKey] = CompressedModelFile.FormatValue,
            [CompressedModelFile.EncodingsKey] = """{"w":{"encoding":"Int3","shape":[2]}}""",
            [CompressedModelFile.SpecKey] = Spec,
        };
        SafetensorsWriter.Write(path, [new SafetensorsTensor("w", "F32", [2], new byte[8])], meta);
        var ex = Assert.Throws<CompressedModelException>(() => CompressedModelFile.Read(path));
        Assert.StartsWith($"{path}: 'w' has unknown encoding 'Int3' (expected one of Dense, Int8, Int4, Sparse, SparseInt8)", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Enum.TryParse would take a number ("1" → Int8, "7" → no member at all); the explicit name maps refuse it.</summary>
    [Theory]
    [InlineData("""{"w":{"encoding":"1","shape":[2]}}""", "'w' has unknown encoding '1' (expected one of Dense, Int8, Int4, Sparse, SparseInt8)")]
    [InlineData("""{"w":{"encoding":"Int8","shape":[2,2],"scheme":"7","group_size":0}}""", "'w' has unknown quantization scheme '7'")]
    public void Read_RejectsANumberForAnEncodingOrScheme(string encodings, string message)
    {
        string path = Path.Combine(_dir, "numbered.safetensors");
        var meta = new Dictionary<string, string>
        {
            [CompressedModelFile.FormatKey] = CompressedModelFile.FormatValue,
            [CompressedModelFile.EncodingsKey] = encodings,
            [CompressedModelFile.SpecKey] = Spec,
        };
        SafetensorsTensor stored = encodings.Contains("\"scheme\"", StringComparison.Ordinal)
            ? new("w.q", "I8", [2, 2], new byte[4])
            : new("w", "F32", [2], new byte[8]);
        SafetensorsWriter.Write(path, [stored], meta);
        var ex = Assert.Throws<CompressedModelException>(() => CompressedModelFile.Read(path));
        Assert.StartsWith($"{path}: {message}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RejectsAMaskThatKeepsMoreWeightsThanStored()
    {
        string path = Path.Combine(_dir, "mask.safetensors");
        var meta = new Dictionary<string, string>
        {
            [CompressedModelFile.FormatKey] = CompressedModelFile.FormatValue,
            [CompressedModelFile.EncodingsKey] = """{"w":{"encoding":"Sparse","shape":[8]}}""",
            [CompressedModelFile.SpecKey] = Spec,
        };
        SafetensorsWriter.Write(path, [new SafetensorsTensor("w.mask", "U8", [1], [0xFF]), new SafetensorsTensor("w.values", "F32", [2], new byte[8])], meta);
        var ex = Assert.Throws<CompressedModelException>(() => CompressedModelFile.Read(path));
        Assert.Equal($"{path}: 'w': sparse mask keeps more weights than the 2 values stored", ex.Message);
    }

    [Fact]
    public void Read_RejectsATruncatedFile_ThroughTheSafetensorsValidator()
    {
        string path = Path.Combine(_dir, "cut.safetensors");
        CompressedModelFile.Write(path, [new("w", [10, 10], Weights(100, 1, 4), TensorEncoding.Int8)], Spec);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var ex = Assert.ThrowsAny<ScaleLab.Core.ScaleLabException>(() => CompressedModelFile.Read(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prune 90% + int8", "prune-90-int8")]
    [InlineData("low-rank 90% energy", "low-rank-90-energy")]
    [InlineData("QAT int4 g32", "qat-int4-g32")]
    public void GridDirectories_AreNamedBySlugOfTheLabel(string label, string slug) =>
        Assert.Equal(slug, CompressionSession.Slug(label));
}
