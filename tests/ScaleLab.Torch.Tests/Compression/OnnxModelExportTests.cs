using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Compression.Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Compression;

/// <summary>
/// `export --onnx` round trips on random inputs. fp32: ONNX Runtime gives TorchSharp's outputs within 1e-4. int8:
/// against TorchSharp running the same dequantized int8 weights, within 2 % of the largest output magnitude — linear
/// layers quantize their activations to uint8 per run (MatMulInteger), and ONNX Runtime's optimizer turns conv QDQ
/// pairs into integer kernels too; the conv QDQ graph run as written is exact (1e-4).
/// </summary>
[Collection(ScaleLab.Torch.Tests.Training.SerialTorchCollection.Name)]
public sealed class OnnxModelExportTests(ITestOutputHelper output)
{
    /// <summary>Largest |ONNX Runtime − TorchSharp| allowed: fp32 rounding of sums over up to 1,000 terms.</summary>
    private const double Tolerance = 1e-4;

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    private static ModelSpec Example(params string[] parts) => ModelSpecJson.Load(Path.Combine([RepoRoot(), "examples", .. parts]));

    private const string Norms = """
        {"name":"norms","input":[3,12,12],"layers":[
          {"type":"conv2d","filters":8,"kernel":3,"padding":"same"},{"type":"batchnorm2d"},{"type":"silu"},
          {"type":"avg_pool2d","kernel":3,"stride":2,"padding":1},
          {"type":"residual","body":[{"type":"conv2d","filters":8,"kernel":3,"padding":"same"},{"type":"gelu"}]},
          {"type":"max_pool2d","kernel":2},{"type":"global_avg_pool2d"},{"type":"flatten"},
          {"type":"linear","units":16},{"type":"layernorm"},{"type":"leaky_relu"},{"type":"rmsnorm"},{"type":"linear","units":4},{"type":"softmax"}]}
        """;

    private const string Recurrent = """
        {"name":"gru","input":[7,5],"layers":[
          {"type":"gru","hidden":6,"num_layers":2,"bidirectional":true},{"type":"rnn","hidden":4,"return_sequences":false},{"type":"linear","units":3}]}
        """;

    public static TheoryData<string, bool> Models => new()
    {
        { "seed-mlp", false }, { "seed-mlp", true }, { "lenet-5", false }, { "lenet-5", true },
        { "keras-cnn", false }, { "keras-cnn", true }, { "lstm", false }, { "lstm", true },
        { "norms", false }, { "norms", true }, { "gru", false },
    };

    private static ModelSpec Spec(string name) => name switch
    {
        "seed-mlp" => Example("train", "models", "mlp-fashion-mnist.json"),
        "lenet-5" => Example("models", "lenet-5.json"),
        "keras-cnn" => Example("models", "keras-mnist-cnn.json"),
        "lstm" => Example("train", "models", "lstm-rows.json"),
        "norms" => ModelSpecJson.Parse(Norms, "norms"),
        _ => ModelSpecJson.Parse(Recurrent, "gru"),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxRuntime_Matches_TorchSharp(string name, bool int8)
    {
        // Given a built model (batch-norm statistics made non-trivial so the export must carry them)
        var spec = Spec(name);
        manual_seed(16);
        using var model = ModuleBuilder.Build(spec);
        model.eval();
        using (no_grad())
        {
            using var half = 0.5.ToScalar();
            foreach (var (key, t) in model.state_dict().Where(kv => kv.Key.EndsWith("running_var", StringComparison.Ordinal) || kv.Key.EndsWith("running_mean", StringComparison.Ordinal)))
                t.copy_(rand_like(t).add(half, Scalars.One));
        }

        // When exported (int8: linear and conv weights per-channel symmetric) and run by ONNX Runtime
        byte[] onnx = OnnxModelExport.Export(spec, model, new OnnxExportOptions(Int8: int8));
        if (int8) Dequantize(model);
        const int batch = 5;
        using var x = rand([batch, .. spec.Input!.Dims]);
        using var session = new OnnxSession(onnx, spec.Input.Dims, threads: 1);
        var actual = session.Run(x.contiguous().data<float>().ToArray(), batch);
        float[] expected;
        using (no_grad())
        using (var y = model.call(x))
            expected = y.contiguous().data<float>().ToArray();

        // Then the outputs agree within the tolerance
        Assert.Equal(expected.Length, actual.Length);
        double worst = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        double scale = expected.Max(v => Math.Abs(v));
        output.WriteLine($"{name} {(int8 ? "int8" : "fp32")}: max |ORT − TorchSharp| = {worst:E2} over {expected.Length} outputs (largest |output| {scale:E2})");
        double allowed = int8 ? IntegerKernelTolerance * scale : Tolerance;
        Assert.True(worst <= allowed, $"{name}: worst difference {worst}, allowed {allowed}");
    }

    [Fact]
    public void Int8Conv_QdqGraphRunAsWritten_IsExactlyTheDequantizedWeights()
    {
        var spec = ModelSpecJson.Parse("""{"name":"conv","input":[1,12,12],"layers":[{"type":"conv2d","filters":4,"kernel":3},{"type":"relu"},{"type":"conv2d","filters":3,"kernel":3,"stride":2}]}""", "conv");
        manual_seed(5);
        using var model = ModuleBuilder.Build(spec);
        model.eval();
        byte[] onnx = OnnxModelExport.Export(spec, model, new OnnxExportOptions(Int8: true));
        Dequantize(model);
        using var x = rand([3, .. spec.Input!.Dims]);
        using var session = new OnnxSession(onnx, spec.Input.Dims, threads: 1, optimize: false);
        var actual = session.Run(x.contiguous().data<float>().ToArray(), 3);
        using var y = model.call(x);
        double worst = actual.Zip(y.contiguous().data<float>().ToArray(), (a, e) => Math.Abs(a - e)).Max();
        Assert.True(worst <= Tolerance, $"worst difference {worst}");
    }

    /// <summary>Integer kernels round activations to 8 bits: errors a few parts per thousand of the output range.</summary>
    private const double IntegerKernelTolerance = 0.02;

    [Fact]
    public void Export_RefusesAnOpsetOutsideTheSupportedRange()
    {
        var spec = Spec("seed-mlp");
        using var model = ModuleBuilder.Build(spec);
        var error = Assert.Throws<OnnxExportException>(() => OnnxModelExport.Export(spec, model, new OnnxExportOptions(Opset: 12)));
        Assert.Equal("--opset 12 is not supported; use 13 to 21 (default 17)", error.Message);
    }

    [Fact]
    public void Export_LayerNormBelowOpset17_SaysWhichOpsetItNeeds()
    {
        var spec = Spec("norms");
        using var model = ModuleBuilder.Build(spec);
        var error = Assert.Throws<OnnxExportException>(() => OnnxModelExport.Export(spec, model, new OnnxExportOptions(Opset: 13)));
        Assert.Equal("norms: layers.9 (layernorm) needs LayerNormalization, ONNX opset 17 or later; export with --opset 17", error.Message);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(21)]
    public void Export_AtEitherEndOfTheOpsetRange_RunsTheSame(int opset)
    {
        var spec = Spec("lenet-5");
        manual_seed(3);
        using var model = ModuleBuilder.Build(spec);
        model.eval();
        using var x = rand([2, .. spec.Input!.Dims]);
        using var session = new OnnxSession(OnnxModelExport.Export(spec, model, new OnnxExportOptions(Opset: opset)), spec.Input.Dims, threads: 1);
        var actual = session.Run(x.contiguous().data<float>().ToArray(), 2);
        using var y = model.call(x);
        Assert.True(actual.Zip(y.data<float>().ToArray(), (a, e) => Math.Abs(a - e)).Max() <= Tolerance);
    }

    /// <summary>Linear and conv weights replaced by their int8 per-channel values, as the int8 export stores them.</summary>
    private static void Dequantize(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (key, t) in model.state_dict())
        {
            if (!key.EndsWith(".weight", StringComparison.Ordinal) || t.dim() < 2 || key.Contains(".rnn.", StringComparison.Ordinal)) continue;
            long[] shape = [.. t.shape];
            var q = WeightQuantizer.Quantize(t.contiguous().data<float>().ToArray(), shape, QuantScheme.Int8PerChannelSymmetric);
            using var dequantized = tensor(WeightQuantizer.Dequantize(q)).reshape(shape);
            t.copy_(dequantized);
        }
    }
}
