using System.Diagnostics;
using System.Globalization;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Compression.Onnx;
using static TorchSharp.torch;

// A dense network shaped like the seed MLP with a 10-class head, random weights (latency does not depend on values).
int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
long[] sizes = [784, 1000, 500, 250, 10];
var rng = new Random(1);
var layers = new List<DenseLayer>();
for (int i = 0; i + 1 < sizes.Length; i++)
{
    var w = new float[sizes[i] * sizes[i + 1]];
    for (int k = 0; k < w.Length; k++) w[k] = (float)(rng.NextDouble() - 0.5) * 0.1f;
    var b = new float[sizes[i + 1]];
    layers.Add(new DenseLayer(sizes[i], sizes[i + 1], w, b, i + 2 < sizes.Length ? ActivationKind.Relu : null));
}
var stack = new DenseStack(784, layers);
set_num_threads(threads);
Console.WriteLine($"threads {threads}");
foreach (int batch in new[] { 1, 64 })
{
    var input = new float[batch * 784];
    for (int k = 0; k < input.Length; k++) input[k] = (float)rng.NextDouble();
    double torchMs = TimeTorch(stack, input, batch);
    using var fp32 = new OnnxSession(OnnxExport.Export(stack, OnnxPrecision.Fp32), 784, threads);
    using var int8 = new OnnxSession(OnnxExport.Export(stack, OnnxPrecision.Int8Dynamic), 784, threads);
    var scales = stack.Layers.Select(_ => (0.02f, (byte)0)).ToList();
    using var int8s = new OnnxSession(OnnxExport.Export(stack, OnnxPrecision.Int8Static, scales), 784, threads);
    double ortMs = Time(() => fp32.Run(input, batch));
    double int8Ms = Time(() => int8.Run(input, batch));
    double int8sMs = Time(() => int8s.Run(input, batch));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"batch {batch,3}: torch fp32 {torchMs:F3} ms | ort fp32 {ortMs:F3} ms | ort int8 dynamic {int8Ms:F3} ms ({torchMs / int8Ms:F2}x vs torch) | ort int8 static {int8sMs:F3} ms ({torchMs / int8sMs:F2}x)"));
}

static double Time(Action run)
{
    for (int i = 0; i < 20; i++) run();
    var best = double.MaxValue;
    for (int r = 0; r < 5; r++)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 50; i++) run();
        best = Math.Min(best, sw.Elapsed.TotalMilliseconds / 50);
    }
    return best;
}

static double TimeTorch(DenseStack stack, float[] input, int batch)
{
    using var scope = NewDisposeScope();
    var weights = stack.Layers.Select(l => tensor(l.Weight).reshape(l.Out, l.In)).ToList();
    var biases = stack.Layers.Select(l => tensor(l.Bias!)).ToList();
    var x = tensor(input).reshape(batch, stack.InputFeatures);
    using var noGrad = no_grad();
    return Time(() =>
    {
        using var inner = NewDisposeScope();
        var h = x;
        for (int i = 0; i < weights.Count; i++)
        {
            h = nn.functional.linear(h, weights[i], biases[i]);
            if (stack.Layers[i].Activation is not null) h = nn.functional.relu(h);
        }
        _ = h.data<float>()[0];
    });
}
