namespace ScaleLab.Torch.Compression;

/// <summary>
/// One compressed model, measured. Accuracy is always on the test split, next to the bytes it costs:
/// <see cref="Accuracy"/> is the model whose weights are exactly the decoded file contents run in fp32 TorchSharp
/// (weight-only quantization is evaluated this way); <see cref="Int8RuntimeAccuracy"/>, when present, is the same
/// weights run through ONNX Runtime's integer kernels with activations quantized too; <see cref="StaticInt8Accuracy"/>
/// is every linear/conv input rounded to uint8 with calibrated scales as well (simulated, any layer stack).
/// <see cref="FineTuneEpochs"/> are the epochs of extra training this variant had; <see cref="IsFineTunedBaseline"/>
/// marks the uncompressed "baseline + N epochs" row a fine-tuned variant is compared with (<see cref="ParetoRule"/>).
/// </summary>
public sealed record CompressionResult(
    string Label,
    string ArtifactPath,
    long Parameters,
    long NonZeroParameters,
    long FileBytes,
    long BaselineFileBytes,
    double BaselineAccuracy,
    double Accuracy,
    bool ReloadedIdentically,
    LatencyEstimate LatencyBatch1,
    LatencyEstimate LatencyBatch64,
    LatencyEstimate BaselineLatencyBatch1,
    LatencyEstimate BaselineLatencyBatch64,
    string LatencyEngine,
    double? Int8RuntimeAccuracy,
    double? Int8RuntimeLatencyBatch1Ms,
    double? Int8RuntimeLatencyBatch64Ms,
    double? StaticInt8RuntimeAccuracy,
    double? StaticInt8Accuracy,
    double? ScratchAccuracy,
    double Seconds,
    IReadOnlyList<string> Steps,
    long TestSamples,
    int FineTuneEpochs,
    bool IsFineTunedBaseline)
{
    /// <summary>Latency where the model would be deployed: each engine, batch 1 and 64, one thread and all (see <see cref="DeploymentLatency"/>).</summary>
    public IReadOnlyList<DeploymentLatency> Deployment { get; init; } = [];

    public double FileRatio => BaselineFileBytes == 0 ? 0 : (double)FileBytes / BaselineFileBytes;

    public double AccuracyDelta => Accuracy - BaselineAccuracy;
}
