using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>An ONNX Runtime CPU session over an exported dense network: float input (batch, features) → float output.</summary>
public sealed class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly long _inputFeatures;

    public OnnxSession(byte[] model, long inputFeatures, int threads)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        _session = new InferenceSession(model, options);
        _inputFeatures = inputFeatures;
    }

    /// <summary>Runs a batch; <paramref name="input"/> is row-major (batch, features).</summary>
    public float[] Run(float[] input, int batch)
    {
        var tensor = new DenseTensor<float>(input, [batch, (int)_inputFeatures]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor("x", tensor)]);
        return results[0].AsEnumerable<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
