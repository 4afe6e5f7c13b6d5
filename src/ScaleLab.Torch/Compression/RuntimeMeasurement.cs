using System.Globalization;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Compression.Onnx;
using ScaleLab.Torch.Data;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// What a compressed model does on inference runtimes: its accuracy and latency through ONNX Runtime's int8 kernels
/// (dense stacks), and the deployment latency matrix (every engine × batch × threads). Split from
/// <see cref="CompressionPipeline"/>, which decides what to measure; this measures it.
/// </summary>
internal sealed class RuntimeMeasurement(DataBundle data, Device device, int evalBatch, IProgress<string>? log)
{
    public sealed record RuntimeFigures(double Accuracy, double Batch1, double Batch64, double? StaticAccuracy);

    /// <summary>Dense stacks also run through ONNX Runtime's int8 kernels: accuracy and latency measured there.</summary>
    public RuntimeFigures? Int8Runtime(ModelSpec modelSpec, nn.Module model, int threads, IReadOnlyDictionary<string, (float Scale, int Zero)> ranges)
    {
        var stack = DenseStackExtractor.TryExtract(modelSpec, model);
        if (stack is null) return null;
        using var dynamicSession = new OnnxSession(OnnxExport.Export(stack, OnnxPrecision.Int8Dynamic), stack.InputFeatures, threads);
        double accuracy = OnnxAccuracy(dynamicSession, stack);
        // The stack's layers are the spec's linear layers in order, the modules "layers.{i}" the calibration hooked.
        var calibration = modelSpec.Layers.Select((layer, i) => (layer, i)).Where(x => x.layer is LinearLayer)
            .Select(x => ranges["layers." + x.i.ToString(CultureInfo.InvariantCulture)])
            .Select(r => (r.Scale, (byte)r.Zero)).ToList();
        using var staticSession = new OnnxSession(OnnxExport.Export(stack, OnnxPrecision.Int8Static, calibration), stack.InputFeatures, threads);
        double staticAccuracy = OnnxAccuracy(staticSession, stack);
        var one = new float[stack.InputFeatures];
        var many = new float[64 * stack.InputFeatures];
        double b1 = LatencyMeter.Measure(() => dynamicSession.Run(one, 1)).MedianMs;
        double b64 = LatencyMeter.Measure(() => dynamicSession.Run(many, 64)).MedianMs;
        return new RuntimeFigures(accuracy, b1, b64, staticAccuracy);
    }

    /// <summary>
    /// The deployment matrix: batch 1 and 64, one thread and all of <paramref name="threads"/>, on TorchSharp fp32 and
    /// ONNX Runtime fp32 and int8 (the standard ONNX export, int8 as per-channel QDQ that ONNX Runtime runs on integer
    /// kernels), so int8 is compared with fp32 on the same runtime. Models ONNX export refuses get TorchSharp cells only.
    /// </summary>
    public List<DeploymentLatency> Deployment(ModelSpec modelSpec, nn.Module<Tensor, Tensor> model, int threads)
    {
        var cells = new List<DeploymentLatency>();
        byte[]? fp32 = null, int8 = null;
        try
        {
            fp32 = OnnxModelExport.Export(modelSpec, model, new OnnxExportOptions());
            int8 = OnnxModelExport.Export(modelSpec, model, new OnnxExportOptions(Int8: true));
        }
        catch (OnnxExportException ex)
        {
            log?.Report($"  no ONNX Runtime latency: {ex.Message}");
        }
        var sample = modelSpec.Input!.Dims;
        foreach (int t in threads == 1 ? new[] { 1 } : [1, threads])
        {
            using (TorchThreads.Use(t))
                foreach (int batch in new[] { 1, 64 })
                    cells.Add(new DeploymentLatency(InferenceEngine.TorchSharpFp32, batch, t, LatencyMeter.Torch(model, modelSpec.Input!, batch, device)));
            if (fp32 is null || int8 is null) continue;
            foreach (var (engine, onnx) in new[] { (InferenceEngine.OnnxRuntimeFp32, fp32), (InferenceEngine.OnnxRuntimeInt8, int8) })
            {
                using var session = new OnnxSession(onnx, sample, t);
                foreach (int batch in new[] { 1, 64 })
                {
                    var input = new float[batch * modelSpec.Input.Elements];
                    cells.Add(new DeploymentLatency(engine, batch, t, LatencyMeter.Measure(() => session.Run(input, batch))));
                }
            }
        }
        return cells;
    }

    private double OnnxAccuracy(OnnxSession session, DenseStack stack)
    {
        using var inputs = data.Test.Inputs.reshape(data.Test.Count, -1).cpu().contiguous();
        var x = inputs.data<float>().ToArray();
        var labels = data.Test.Targets.cpu().data<long>().ToArray();
        long correct = 0;
        int classes = (int)stack.OutputFeatures;
        for (long start = 0; start < labels.LongLength; start += evalBatch)
        {
            int n = (int)Math.Min(evalBatch, labels.LongLength - start);
            var y = session.Run(x.AsSpan((int)(start * stack.InputFeatures), (int)(n * stack.InputFeatures)).ToArray(), n);
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                for (int c = 1; c < classes; c++) if (y[i * classes + c] > y[i * classes + best]) best = c;
                if (best == labels[start + i]) correct++;
            }
        }
        return (double)correct / labels.LongLength;
    }
}
