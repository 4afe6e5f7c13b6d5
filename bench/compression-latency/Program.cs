using System.Globalization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Compression.Onnx;
using static TorchSharp.torch;

// Latency does not depend on the weights' values, so the model is freshly initialised (seed 0); accuracy of the same
// transformations on trained models is measured by `scalelab compress` and recorded in docs/compression.md.
int threads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
set_num_threads(threads);
manual_seed(0);
var spec = new ModelSpec
{
    Name = "seed-mlp-10",
    Source = "bench",
    Input = Shape.Of(1, 28, 28),
    Layers =
    [
        new FlattenLayer(),
        new LinearLayer(1000), new ActivationLayer(ActivationKind.Relu),
        new LinearLayer(500), new ActivationLayer(ActivationKind.Relu),
        new LinearLayer(250), new ActivationLayer(ActivationKind.Relu),
        new LinearLayer(10),
    ],
};
var dense = ModuleBuilder.Build(spec);
var pruned = StructuredPruning.Prune(spec, dense, 0.5);
var small = ModuleBuilder.Build(pruned.Spec);
small.load_state_dict(pruned.State.ToDictionary(kv => kv.Key, kv => kv.Value));
var stack = DenseStackExtractor.TryExtract(spec, dense)!;

long denseMacs = ModelAccounting.Account(spec).ForwardMacs, smallMacs = ModelAccounting.Account(pruned.Spec).ForwardMacs;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"seed MLP + head, {threads} thread(s): dense {ModelAccounting.Account(spec).Parameters:N0} parameters, {denseMacs:N0} MACs; 50% structured {ModelAccounting.Account(pruned.Spec).Parameters:N0} parameters, {smallMacs:N0} MACs ({(double)denseMacs / smallMacs:F2}x fewer)"));
Console.WriteLine("latency: best of 5 rounds × 20 runs, milliseconds per batch");
Console.WriteLine($"{"batch",5} {"torch fp32",11} {"structured",11} {"speed-up",9} {"ort fp32",9} {"ort int8",9} {"int8 vs torch",14} {"int8 vs ort",12}");
foreach (int batch in new[] { 1, 64 })
{
    double torchMs = LatencyMeter.TorchMilliseconds(dense, spec.Input, batch, CPU);
    double smallMs = LatencyMeter.TorchMilliseconds(small, spec.Input, batch, CPU);
    var input = new float[batch * stack.InputFeatures];
    for (int i = 0; i < input.Length; i++) input[i] = (i % 255) / 255f;
    using var fp32 = new OnnxSession(OnnxExport.Export(stack, OnnxPrecision.Fp32), stack.InputFeatures, threads);
    using var int8 = new OnnxSession(OnnxExport.Export(stack, OnnxPrecision.Int8Dynamic), stack.InputFeatures, threads);
    double ortMs = LatencyMeter.Milliseconds(() => fp32.Run(input, batch));
    double int8Ms = LatencyMeter.Milliseconds(() => int8.Run(input, batch));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{batch,5} {torchMs,11:F3} {smallMs,11:F3} {torchMs / smallMs,8:F2}x {ortMs,9:F3} {int8Ms,9:F3} {torchMs / int8Ms,13:F2}x {ortMs / int8Ms,11:F2}x"));
}
