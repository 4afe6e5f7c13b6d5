using ScaleLab.Cli.Commands;
using ScaleLab.Torch.Compression;

namespace ScaleLab.Cli.Tests;

/// <summary>The grid table on synthetic measurements: noise marks, the same-budget column, Pareto marks, the deployment matrix.</summary>
public sealed class CompressionTableTests
{
    private static LatencyEstimate L(double median, double low, double high) => new(median, low, high, 15);

    private static CompressionResult Result(string label, double accuracy, long bytes, LatencyEstimate b64, int epochs, bool fineTunedBaseline, IReadOnlyList<DeploymentLatency>? deployment = null) =>
        new(label, "x", 266_610, 266_610, bytes, 1_068_072, 0.8775, accuracy, true, b64, b64, L(0.3, 0.29, 0.31), L(0.3, 0.29, 0.31),
            "TorchSharp fp32", null, null, null, null, null, null, 1, [], 10_000, epochs, fineTunedBaseline)
        { Deployment = deployment ?? [] };

    [Fact]
    public void Table_MarksNoise_ComparesWithTheSameBudget_AndStatesInt8SpeedUps()
    {
        DeploymentLatency[] cells =
        [
            new(InferenceEngine.TorchSharpFp32, 64, 1, L(0.40, 0.39, 0.41)),
            new(InferenceEngine.OnnxRuntimeFp32, 64, 1, L(0.54, 0.53, 0.55)),
            new(InferenceEngine.OnnxRuntimeInt8, 64, 1, L(0.12, 0.11, 0.13)),
        ];
        CompressionResult[] results =
        [
            Result("baseline + 2 epochs", 0.8832, 1_068_072, L(0.30, 0.29, 0.31), 2, true),
            Result("prune 50%", 0.8850, 555_000, L(0.30, 0.29, 0.32), 2, false),
            Result("int8 per-channel symmetric", 0.8770, 271_504, L(0.30, 0.29, 0.31), 0, false, cells),
        ];
        using var writer = new StringWriter();

        CompressionTable.Write(writer, results);

        string text = writer.ToString();
        Assert.Contains("0.300 [0.290–0.310] ms at batch 64", text, StringComparison.Ordinal);   // brackets printed, not parsed as markup
        Assert.Contains("+0.75 ≈", text, StringComparison.Ordinal);                             // prune 50 % vs baseline: within ±0.91 points
        Assert.Contains("+0.18 ≈", text, StringComparison.Ordinal);                             // …and vs baseline + 2 epochs
        Assert.Contains("deployment latency, ms: median [95 % interval]", text, StringComparison.Ordinal);
        Assert.Contains("int8 per-channel symmetric: ONNX Runtime int8 vs ONNX Runtime fp32 4.50× (batch 64, 1 thr)", text, StringComparison.Ordinal);
    }
}
