using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Compression.Onnx;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab export`: a compressed LeNet-300-100 out as ONNX and as compressed-tensors; usage errors in one line.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("scalelab-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    private string CompressedLeNet()
    {
        string path = Path.Combine(_folder, "model.safetensors");
        CompressedModelFile.WriteEncoded(path, InspectCompressedTests.PrunedLeNet(TensorEncoding.SparseInt8), InspectCompressedTests.Spec);
        return path;
    }

    [Fact]
    public void Export_CompressedModel_ToOnnx_RunsInOnnxRuntime_AsTheDecodedWeights()
    {
        string model = CompressedLeNet();
        string onnx = Path.Combine(_folder, "lenet.onnx");

        var (code, output, error) = Run("export", model, "--onnx", "--opset", "13", "--out", onnx);

        Assert.True(code == 0, error);
        Assert.StartsWith($"wrote {onnx}: ", output, StringComparison.Ordinal);
        Assert.Contains("ONNX opset 13, fp32", output, StringComparison.Ordinal);
        // The graph holds the decoded weights: ONNX Runtime and the module loaded from the file agree on an image.
        var (spec, torchModel) = CompressionPipeline.Load(model);
        using var session = new OnnxSession(File.ReadAllBytes(onnx), spec.Input!.Dims, threads: 1);
        var x = Enumerable.Range(0, 784).Select(i => (i % 7) / 7f).ToArray();
        var y = session.Run(x, 1);
        using var input = TorchSharp.torch.tensor(x).reshape(1, 784);
        using var expected = torchModel.call(input);
        Assert.True(y.Zip(expected.data<float>().ToArray(), (a, b) => Math.Abs(a - b)).Max() <= 1e-4);
    }

    [Fact]
    public void Export_CompressedModel_ToCompressedTensors_InspectsAsTheSameModel()
    {
        string target = Path.Combine(_folder, "ct");
        var (code, output, error) = Run("export", CompressedLeNet(), "--compressed-tensors", "--out", target);
        Assert.True(code == 0, error);
        Assert.Equal($"wrote {target}: config.json + model.safetensors (compressed-tensors)", output.Trim());

        var (inspectCode, inspected, _) = Run("inspect", target);
        Assert.Equal(0, inspectCode);
        Assert.Contains("266,610 parameters (266.61 K), 27,030 non-zero (10.1 %)", inspected, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--out", "x" }, "error: export: give exactly one of --onnx or --compressed-tensors")]
    [InlineData(new[] { "--onnx", "--compressed-tensors", "--out", "x" }, "error: export: give exactly one of --onnx or --compressed-tensors")]
    [InlineData(new[] { "--compressed-tensors", "--int8", "--out", "x" }, "error: export: --int8 applies to --onnx (a compressed-tensors checkpoint keeps the model's own encoding)")]
    public void Export_UsageErrors_AreOneLine(string[] options, string message)
    {
        var (code, _, error) = Run(["export", CompressedLeNet(), .. options]);
        Assert.Equal(1, code);
        Assert.Equal(message, error.Trim());
    }

    [Fact]
    public void Export_OpsetOutOfRange_NamesTheRange()
    {
        var (code, _, error) = Run("export", CompressedLeNet(), "--onnx", "--opset", "9", "--out", Path.Combine(_folder, "m.onnx"));
        Assert.Equal(1, code);
        Assert.Equal("error: --opset 9 is not supported; use 13 to 21 (default 17)", error.Trim());
    }

    [Fact]
    public void Export_PlainSafetensors_ToCompressedTensors_SaysItIsNotCompressed()
    {
        string plain = Path.Combine(_folder, "plain.safetensors");
        ScaleLab.Core.Formats.Safetensors.SafetensorsWriter.Write(plain, [new("w", "F32", [1], new byte[4])]);
        var (code, _, error) = Run("export", plain, "--compressed-tensors", "--out", Path.Combine(_folder, "ct"));
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {plain}: not a compressed model;", error.Trim(), StringComparison.Ordinal);
    }
}
