using System.Text.Json;
using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Compression.CompressedTensors;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// `scalelab inspect` of compressed models counts the model, not its storage: a LeNet-300-100 pruned to 10 % and
/// stored as bitmask + int8 has 266,610 parameters, whether ScaleLab's compressed/1 file or a compressed-tensors
/// checkpoint holds it; its non-zeros equal the decoded weights' non-zeros.
/// </summary>
public sealed class InspectCompressedTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("scalelab-inspect-compressed-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal const string Spec = """{"name":"lenet-300-100","task":"classification","input":[784],"layers":[{"type":"linear","units":300},{"type":"relu"},{"type":"linear","units":100},{"type":"relu"},{"type":"linear","units":10}]}""";

    /// <summary>LeNet-300-100 with random weights, each matrix pruned to its 10 % largest magnitudes (26,620 kept of
    /// 266,200, plus 410 dense biases: 27,030 non-zero); biases dense.</summary>
    internal static List<EncodedTensor> PrunedLeNet(TensorEncoding encoding)
    {
        var rng = new Random(300100);
        var entries = new List<CompressedModelFile.Entry>();
        (int Layer, int In, int Out)[] layers = [(0, 784, 300), (2, 300, 100), (4, 100, 10)];
        foreach (var (layer, inputs, outputs) in layers)
        {
            var w = Enumerable.Range(0, inputs * outputs).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            float threshold = w.Select(MathF.Abs).Order().ElementAt((int)(0.9 * w.Length));
            for (int i = 0; i < w.Length; i++) if (MathF.Abs(w[i]) < threshold) w[i] = 0;
            var b = Enumerable.Range(0, outputs).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray();
            entries.Add(new($"layers.{layer}.weight", [outputs, inputs], w, encoding, QuantScheme.Int8PerChannelSymmetric));
            entries.Add(new($"layers.{layer}.bias", [outputs], b, TensorEncoding.Dense));
        }
        return entries.Select(EncodedTensor.Encode).ToList();
    }

    private static JsonElement Inspect(string path)
    {
        var (code, output, error) = EstimateCommandTests.Run("inspect", path, "--json");
        Assert.True(code == 0, error);
        SchemaValidation.AssertValid("inspect.schema.json", output);
        return JsonDocument.Parse(output).RootElement;
    }

    [Theory]
    [InlineData(TensorEncoding.SparseInt8, 27_030L)]
    [InlineData(TensorEncoding.Sparse, 27_030L)]
    public void Inspect_CompressedLeNet300100_Reports266610Parameters_AndItsExactNonZeros(TensorEncoding encoding, long nonZero)
    {
        // Given the pruned LeNet-300-100 in ScaleLab's compressed/1 file and as a compressed-tensors checkpoint
        var encoded = PrunedLeNet(encoding);
        string scalelab = Path.Combine(_folder, "lenet.safetensors");
        CompressedModelFile.WriteEncoded(scalelab, encoded, Spec);
        string checkpoint = Path.Combine(_folder, "ct");
        CompressedTensorsWriter.Write(checkpoint, encoded, Spec);
        long decodedNonZero = encoded.Sum(e => e.Decode().LongCount(v => v != 0));

        foreach (string path in new[] { scalelab, checkpoint })
        {
            // When inspected
            var root = Inspect(path);

            // Then it counts the model's 266,610 parameters and exactly the non-zeros its weights decode to
            var parameters = root.GetProperty("parameters");
            Assert.Equal(266_610, parameters.GetProperty("total").GetInt64());
            Assert.Equal(decodedNonZero, parameters.GetProperty("non_zero").GetInt64());
            Assert.Equal(nonZero, decodedNonZero);
            var first = root.GetProperty("compressed").GetProperty("tensors").EnumerateArray()
                .Single(t => t.GetProperty("name").GetString() == "layers.0.weight");
            Assert.Equal(235_200, first.GetProperty("parameters").GetInt64());
            Assert.Contains(encoding == TensorEncoding.Sparse ? "fp32 values" : "int8 values", first.GetProperty("encoding").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Inspect_Int4Checkpoint_ShowsGroupSizeAndBitsPerWeight()
    {
        // Given a 300 × 784 weight as pack-quantized int4, groups of 64, fp32 scales
        var rng = new Random(7);
        var w = Enumerable.Range(0, 300 * 784).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var encoded = new List<EncodedTensor> { EncodedTensor.Encode(new("fc.weight", [300, 784], w, TensorEncoding.Int4, QuantScheme.Int4GroupSymmetric, 64)) };
        string checkpoint = Path.Combine(_folder, "int4");
        CompressedTensorsWriter.Write(checkpoint, encoded, Spec);

        var (code, output, error) = EstimateCommandTests.Run("inspect", checkpoint);

        // Then the text names the layout and the exact encoding: 98 words a row × 4 B + 13 scales × 4 B + the shape
        Assert.True(code == 0, error);
        Assert.Contains("235,200 parameters", output, StringComparison.Ordinal);
        Assert.Contains("compressed-tensors 0.14.0 (pack-quantized)", output, StringComparison.Ordinal);
        Assert.Contains("pack-quantized int4 group 64 symmetric", output, StringComparison.Ordinal);
        Assert.Contains("4.53", output, StringComparison.Ordinal);
    }
}
