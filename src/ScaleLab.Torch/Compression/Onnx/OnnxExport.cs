using ScaleLab.Core.Spec;

namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>How the exported ONNX graph computes each linear layer.</summary>
public enum OnnxPrecision
{
    /// <summary>fp32 MatMul + Add: the baseline.</summary>
    Fp32,

    /// <summary>
    /// int8 weights (per-output-channel symmetric scales), activations quantized to uint8 per batch at run time:
    /// ONNX Runtime's com.microsoft DynamicQuantizeMatMul, which runs integer GEMM kernels (VNNI where the CPU has it).
    /// </summary>
    Int8Dynamic,

    /// <summary>
    /// int8 weights and activations quantized with scales fixed by calibration (static quantization):
    /// QuantizeLinear with the calibrated scale, then com.microsoft MatMulIntegerToFloat.
    /// </summary>
    Int8Static,
}

/// <summary>Writes a <see cref="DenseStack"/> as an ONNX model (bytes), input "x" (batch, features), output "y".</summary>
public static class OnnxExport
{
    /// <param name="activationScales">For <see cref="OnnxPrecision.Int8Static"/>: the calibrated (scale, zero-point)
    /// of each linear layer's input, uint8 asymmetric.</param>
    public static byte[] Export(DenseStack stack, OnnxPrecision precision, IReadOnlyList<(float Scale, byte Zero)>? activationScales = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (precision == OnnxPrecision.Int8Static && (activationScales is null || activationScales.Count != stack.Layers.Count))
            throw new ArgumentException("static int8 export needs one calibrated activation scale per linear layer", nameof(activationScales));
        var graph = new OnnxGraph("scalelab-dense");
        graph.Input("x", OnnxType.Float, "batch", stack.InputFeatures);
        string current = "x";
        for (int i = 0; i < stack.Layers.Count; i++)
        {
            var layer = stack.Layers[i];
            string output = $"h{i}";
            switch (precision)
            {
                case OnnxPrecision.Fp32:
                    graph.Initializer($"w{i}", Transpose(layer.Weight, layer.Out, layer.In), layer.In, layer.Out);
                    graph.Node("MatMul", [current, $"w{i}"], [$"mm{i}"]);
                    current = AddBias(graph, layer, i, $"mm{i}");
                    break;
                case OnnxPrecision.Int8Dynamic:
                    AddQuantizedWeight(graph, layer, i);
                    string[] inputs = layer.Bias is null
                        ? [current, $"wq{i}", $"ws{i}", $"wz{i}"]
                        : [current, $"wq{i}", $"ws{i}", $"wz{i}", $"b{i}"];
                    if (layer.Bias is not null) graph.Initializer($"b{i}", layer.Bias, layer.Out);
                    graph.Node("DynamicQuantizeMatMul", inputs, [$"mm{i}"], "com.microsoft");
                    current = $"mm{i}";
                    break;
                case OnnxPrecision.Int8Static:
                    var (scale, zero) = activationScales![i];
                    AddQuantizedWeight(graph, layer, i);
                    graph.Initializer($"xs{i}", [scale]);
                    graph.Initializer($"xz{i}", OnnxType.UInt8, [], [zero]);
                    graph.Node("QuantizeLinear", [current, $"xs{i}", $"xz{i}"], [$"xq{i}"]);
                    string[] staticInputs = layer.Bias is null
                        ? [$"xq{i}", $"wq{i}", $"xs{i}", $"ws{i}", $"xz{i}", $"wz{i}"]
                        : [$"xq{i}", $"wq{i}", $"xs{i}", $"ws{i}", $"xz{i}", $"wz{i}", $"b{i}"];
                    if (layer.Bias is not null) graph.Initializer($"b{i}", layer.Bias, layer.Out);
                    graph.Node("MatMulIntegerToFloat", staticInputs, [$"mm{i}"], "com.microsoft");
                    current = $"mm{i}";
                    break;
            }
            current = AddActivation(graph, layer.Activation, current, output);
        }
        graph.Node("Identity", [current], ["y"]);
        graph.Output("y", OnnxType.Float, "batch", stack.OutputFeatures);
        return graph.ToModel();
    }

    /// <summary>int8 weight (In, Out) with one symmetric scale per output column and zero-points 0.</summary>
    private static void AddQuantizedWeight(OnnxGraph graph, DenseLayer layer, int i)
    {
        var q = WeightQuantizer.Quantize(layer.Weight, [layer.Out, layer.In], QuantScheme.Int8PerChannelSymmetric);
        var transposed = new byte[q.Values.Length];
        for (long o = 0; o < layer.Out; o++)
            for (long k = 0; k < layer.In; k++)
                transposed[k * layer.Out + o] = q.Values[o * layer.In + k];
        graph.Initializer($"wq{i}", OnnxType.Int8, [layer.In, layer.Out], transposed);
        graph.Initializer($"ws{i}", q.Scales, layer.Out);
        graph.Initializer($"wz{i}", OnnxType.Int8, [layer.Out], new byte[layer.Out]);
    }

    private static string AddBias(OnnxGraph graph, DenseLayer layer, int i, string input)
    {
        if (layer.Bias is null) return input;
        graph.Initializer($"b{i}", layer.Bias, layer.Out);
        graph.Node("Add", [input, $"b{i}"], [$"add{i}"]);
        return $"add{i}";
    }

    private static string AddActivation(OnnxGraph graph, ActivationKind? activation, string input, string output)
    {
        string? op = activation switch
        {
            null => null,
            ActivationKind.Relu => "Relu",
            ActivationKind.Tanh => "Tanh",
            ActivationKind.Sigmoid => "Sigmoid",
            ActivationKind.Softmax => "Softmax",
            _ => throw new NotSupportedException($"activation {activation} is not exported to ONNX; use the TorchSharp path"),
        };
        if (op is null) return input;
        graph.Node(op, [input], [output]);
        return output;
    }

    private static float[] Transpose(float[] w, long rows, long columns)
    {
        var t = new float[w.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                t[c * rows + r] = w[r * columns + c];
        return t;
    }
}
