namespace ScaleLab.Torch.Compression;

/// <summary>
/// One compressed model, measured. Accuracy is always on the test split, next to the bytes it costs:
/// <see cref="Accuracy"/> is the model whose weights are exactly the decoded file contents run in fp32 TorchSharp
/// (weight-only quantization is evaluated this way); <see cref="Int8RuntimeAccuracy"/>, when present, is the same
/// weights run through ONNX Runtime's integer kernels with activations quantized too; <see cref="StaticInt8Accuracy"/>
/// is every linear/conv input rounded to uint8 with calibrated scales as well (simulated, any layer stack).
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
    double LatencyBatch1Ms,
    double LatencyBatch64Ms,
    double BaselineLatencyBatch1Ms,
    double BaselineLatencyBatch64Ms,
    string LatencyEngine,
    double? Int8RuntimeAccuracy,
    double? Int8RuntimeLatencyBatch1Ms,
    double? Int8RuntimeLatencyBatch64Ms,
    double? StaticInt8RuntimeAccuracy,
    double? StaticInt8Accuracy,
    double? ScratchAccuracy,
    double Seconds,
    IReadOnlyList<string> Steps)
{
    public double FileRatio => BaselineFileBytes == 0 ? 0 : (double)FileBytes / BaselineFileBytes;

    public double AccuracyDelta => Accuracy - BaselineAccuracy;
}
