using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>An ONNX Runtime CPU session over an exported network: float input "x" (batch, …sample) → the float output.</summary>
public sealed class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int[] _sampleDims;

    /// <summary>A dense network: input (batch, features).</summary>
    public OnnxSession(byte[] model, long inputFeatures, int threads) : this(model, [inputFeatures], threads) { }

    /// <param name="sampleDims">One sample's shape, e.g. (1, 28, 28) for an image model.</param>
    /// <param name="optimize">ONNX Runtime's graph optimizations (the default, what deployment runs). They fuse a
    /// DequantizeLinear → MatMul/Conv pair into integer kernels that quantize activations too; without them the graph
    /// is run as written, which is how a test checks what the file means.</param>
    public OnnxSession(byte[] model, IReadOnlyList<long> sampleDims, int threads, bool optimize = true)
    {
        ArgumentNullException.ThrowIfNull(sampleDims);
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = optimize ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        _session = new InferenceSession(model, options);
        _sampleDims = [.. sampleDims.Select(d => checked((int)d))];
    }

    /// <summary>Runs a batch; <paramref name="input"/> is row-major (batch, …sample).</summary>
    public float[] Run(float[] input, int batch)
    {
        var tensor = new DenseTensor<float>(input, [batch, .. _sampleDims]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor("x", tensor)]);
        return results[0].AsEnumerable<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
