namespace ScaleLab.Torch.Compression;

/// <summary>Where a latency was measured: the engine and precision ("TorchSharp fp32", "ONNX Runtime int8").</summary>
public enum InferenceEngine { TorchSharpFp32, OnnxRuntimeFp32, OnnxRuntimeInt8 }

public static class InferenceEngineInfo
{
    /// <summary>The name in tables and in compression.json (deployment[].engine).</summary>
    public static string Name(this InferenceEngine engine) => engine switch
    {
        InferenceEngine.TorchSharpFp32 => "torchsharp_fp32",
        InferenceEngine.OnnxRuntimeFp32 => "onnxruntime_fp32",
        InferenceEngine.OnnxRuntimeInt8 => "onnxruntime_int8",
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, null),
    };
}

/// <summary>One cell of the deployment latency matrix: an engine at a batch size and thread count, with its noise.</summary>
public sealed record DeploymentLatency(InferenceEngine Engine, int Batch, int Threads, LatencyEstimate Latency)
{
    /// <summary>
    /// The int8 speed-up of <paramref name="int8"/> over <paramref name="fp32"/> on the same runtime, batch and threads
    /// (median over median), or null when the runtime has no int8 cell for it.
    /// </summary>
    public static double? Int8SpeedUp(IReadOnlyList<DeploymentLatency> cells, int batch, int threads)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var fp32 = cells.FirstOrDefault(c => c.Engine == InferenceEngine.OnnxRuntimeFp32 && c.Batch == batch && c.Threads == threads);
        var int8 = cells.FirstOrDefault(c => c.Engine == InferenceEngine.OnnxRuntimeInt8 && c.Batch == batch && c.Threads == threads);
        return fp32 is null || int8 is null || int8.Latency.MedianMs <= 0 ? null : fp32.Latency.MedianMs / int8.Latency.MedianMs;
    }
}
