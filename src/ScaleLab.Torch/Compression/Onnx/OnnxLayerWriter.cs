using System.Globalization;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;

namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>
/// Writes a layer list into an <see cref="OnnxGraph"/>, carrying the per-sample shape (without the batch) from layer
/// to layer as <see cref="ShapeInference"/> does; weights come from the state by the names ModuleBuilder gives them.
/// </summary>
internal sealed class OnnxLayerWriter(OnnxGraph graph, IReadOnlyDictionary<string, float[]> state, OnnxExportOptions options, string source)
{
    private int _names;

    public (string Output, Shape Shape) Sequence(IReadOnlyList<LayerSpec> layers, string input, Shape shape, string prefix)
    {
        string current = input;
        for (int i = 0; i < layers.Count; i++)
        {
            string name = prefix + "." + i.ToString(CultureInfo.InvariantCulture);
            var output = ShapeInference.Output(layers[i], shape, source, name);
            current = Layer(layers[i], current, shape, output, name);
            shape = output;
        }
        return (current, shape);
    }

    private string Layer(LayerSpec layer, string x, Shape input, Shape output, string name) => layer switch
    {
        LinearLayer l => Linear(l, x, input, name),
        ConvLayer c => Conv(c, x, input, name),
        PoolLayer p => Pool(p, x),
        AdaptiveAvgPoolLayer a => AdaptivePool(a, x, input, output, name),
        FlattenLayer => Op("Flatten", [x], ("axis", 1L)),
        BatchNormLayer b => BatchNorm(b, x, input, name),
        LayerNormLayer n => LayerNorm(n, x, input, name),
        RmsNormLayer r => RmsNorm(r, x, name),
        DropoutLayer => x,
        ActivationLayer a => Activation(a, x),
        RecurrentLayer r => new OnnxRecurrentWriter(graph, state, Fresh).Write(r, x, input, name),
        ResidualLayer r => Residual(r, x, input, name),
        _ => throw new OnnxExportException($"{source}: {name} ({layer.Type}) has no ONNX export here; layer stacks of linear, conv, pooling, norms, activations, dropout, residual and rnn/lstm/gru layers do"),
    };

    private string Linear(LinearLayer l, string x, Shape input, string name)
    {
        long inputs = input[-1];
        var w = Weight(name + ".weight", l.Units * inputs);
        // MatMul wants (In, Out): the transpose of torch's (Out, In).
        string weight = Fresh(name + ".weight_t");
        if (options.Int8) return AddBias(l, IntegerMatMul(x, w, l.Units, inputs, weight), name);
        var t = new float[w.Length];
        for (long o = 0; o < l.Units; o++)
            for (long k = 0; k < inputs; k++)
                t[k * l.Units + o] = w[o * inputs + k];
        graph.Initializer(weight, t, inputs, l.Units);
        return AddBias(l, Op("MatMul", [x, weight]), name);
    }

    private string AddBias(LinearLayer l, string y, string name)
    {
        if (!l.Bias) return y;
        string bias = Fresh(name + ".bias");
        graph.Initializer(bias, Weight(name + ".bias", l.Units), l.Units);
        return Op("Add", [y, bias]);
    }

    /// <summary>
    /// An int8 linear layer in standard integer ops, ONNX's form of dynamic quantization: DynamicQuantizeLinear turns
    /// x into uint8 with one scale and zero-point per run, MatMulInteger multiplies it with the int8 weight (In, Out,
    /// per-column symmetric scales) into int32, and Cast · (x_scale · w_scale) brings it back to fp32. ONNX Runtime runs
    /// this on its integer GEMM (u8 × s8, VNNI where the CPU has it); a weight-only DequantizeLinear → MatMul would be
    /// dequantized on every run instead.
    /// </summary>
    private string IntegerMatMul(string x, float[] w, long units, long inputs, string weight)
    {
        var q = WeightQuantizer.Quantize(w, [units, inputs], QuantScheme.Int8PerChannelSymmetric);
        var transposed = new byte[q.Values.Length];
        for (long o = 0; o < units; o++)
            for (long k = 0; k < inputs; k++)
                transposed[k * units + o] = q.Values[o * inputs + k];
        graph.Initializer(weight + "_q", OnnxType.Int8, [inputs, units], transposed);
        graph.Initializer(weight + "_scale", q.Scales, units);
        graph.Initializer(weight + "_zero", OnnxType.Int8, [units], new byte[units]);
        string xq = Fresh("xq"), xScale = Fresh("x_scale"), xZero = Fresh("x_zero");
        graph.Node("DynamicQuantizeLinear", [x], [xq, xScale, xZero], "");
        string product = Op("MatMulInteger", [xq, weight + "_q", xZero, weight + "_zero"]);
        string scale = Op("Mul", [xScale, weight + "_scale"]);
        return Op("Mul", [Op("Cast", [product], ("to", (long)OnnxType.Float)), scale]);
    }

    private string Conv(ConvLayer c, string x, Shape input, string name)
    {
        long[] shape = [c.Filters, input[0] / c.Groups, .. c.Kernel.Select(k => (long)k)];
        var w = Weight(name + ".weight", shape.Aggregate(1L, (a, b) => checked(a * b)));
        string weight = Fresh(name + ".weight");
        if (options.Int8)
        {
            var q = WeightQuantizer.Quantize(w, shape, QuantScheme.Int8PerChannelSymmetric);
            Dequantized(weight, q.Values, shape, q.Scales, axis: 0);
        }
        else
        {
            graph.Initializer(weight, w, shape);
        }
        var inputs = new List<string> { x, weight };
        if (c.Bias)
        {
            string bias = Fresh(name + ".bias");
            graph.Initializer(bias, Weight(name + ".bias", c.Filters), c.Filters);
            inputs.Add(bias);
        }
        var (before, after) = ConvPadding.Of(c, input);
        return Op("Conv", [.. inputs],
            new OnnxAttribute("kernel_shape", Ints: [.. c.Kernel.Select(k => (long)k)]),
            new OnnxAttribute("strides", Ints: [.. c.Stride.Select(k => (long)k)]),
            new OnnxAttribute("dilations", Ints: [.. c.Dilation.Select(k => (long)k)]),
            new OnnxAttribute("pads", Ints: [.. before, .. after]),
            ("group", c.Groups));
    }

    /// <summary>int8 initializer + per-axis scales + zero zero-points → DequantizeLinear → <paramref name="output"/> (fp32).</summary>
    private void Dequantized(string output, byte[] q, long[] shape, float[] scales, int axis)
    {
        graph.Initializer(output + "_q", OnnxType.Int8, shape, q);
        graph.Initializer(output + "_scale", scales, scales.Length);
        graph.Initializer(output + "_zero", OnnxType.Int8, [scales.Length], new byte[scales.Length]);
        graph.Node("DequantizeLinear", [output + "_q", output + "_scale", output + "_zero"], [output], "", ("axis", (long)axis));
    }

    private string Pool(PoolLayer p, string x)
    {
        var attributes = new List<OnnxAttribute>
        {
            new("kernel_shape", Ints: [.. p.Kernel.Select(k => (long)k)]),
            new("strides", Ints: [.. p.Stride.Select(k => (long)k)]),
            new("pads", Ints: [.. p.Padding.Select(k => (long)k), .. p.Padding.Select(k => (long)k)]),
        };
        // torch.nn.AvgPool2d counts padded zeros in the mean by default (count_include_pad=True); ONNX does not unless told.
        if (p.Kind == PoolKind.Average) attributes.Add(("count_include_pad", 1L));
        return Op(p.Kind == PoolKind.Max ? "MaxPool" : "AveragePool", [x], [.. attributes]);
    }

    private string AdaptivePool(AdaptiveAvgPoolLayer a, string x, Shape input, Shape output, string name)
    {
        if (output.Dims.Skip(1).All(d => d == 1)) return Op("GlobalAveragePool", [x]);
        var kernel = new long[a.Rank];
        for (int d = 0; d < a.Rank; d++)
        {
            if (input[d + 1] % output[d + 1] != 0)
                throw new OnnxExportException($"{source}: {name} ({a.Type}) pools {input} to {output}; ONNX has no adaptive pooling, so each input size must be a multiple of the output size");
            kernel[d] = input[d + 1] / output[d + 1];
        }
        return Op("AveragePool", [x], new OnnxAttribute("kernel_shape", Ints: kernel), new OnnxAttribute("strides", Ints: kernel));
    }

    private string BatchNorm(BatchNormLayer b, string x, Shape input, string name)
    {
        long channels = input[0];
        string scale = Fresh(name + ".weight"), bias = Fresh(name + ".bias"), mean = Fresh(name + ".running_mean"), variance = Fresh(name + ".running_var");
        graph.Initializer(scale, b.Affine ? Weight(name + ".weight", channels) : Filled(channels, 1), channels);
        graph.Initializer(bias, b.Affine ? Weight(name + ".bias", channels) : Filled(channels, 0), channels);
        graph.Initializer(mean, Weight(name + ".running_mean", channels), channels);
        graph.Initializer(variance, Weight(name + ".running_var", channels), channels);
        return Op("BatchNormalization", [x, scale, bias, mean, variance], new OnnxAttribute("epsilon", Float: (float)b.Epsilon));
    }

    private string LayerNorm(LayerNormLayer n, string x, Shape input, string name)
    {
        if (graph.Opset < 17)
            throw new OnnxExportException($"{source}: {name} (layernorm) needs LayerNormalization, ONNX opset 17 or later; export with --opset 17");
        long width = input[-1];
        string scale = Fresh(name + ".weight"), bias = Fresh(name + ".bias");
        graph.Initializer(scale, n.Affine ? Weight(name + ".weight", width) : Filled(width, 1), width);
        graph.Initializer(bias, n.Affine && n.Bias ? Weight(name + ".bias", width) : Filled(width, 0), width);
        return Op("LayerNormalization", [x, scale, bias], ("axis", -1L), new OnnxAttribute("epsilon", Float: (float)n.Epsilon));
    }

    /// <summary>x · 1/√(mean(x²) + ε) · w over the last dimension, as RmsNorm.forward computes it.</summary>
    private string RmsNorm(RmsNormLayer r, string x, string name)
    {
        var w = state.TryGetValue(name + ".weight", out var values) ? values : throw Missing(name + ".weight");
        string weight = Fresh(name + ".weight"), epsilon = Fresh(name + ".epsilon");
        graph.Initializer(weight, w, w.LongLength);
        graph.Initializer(epsilon, [(float)r.Epsilon]);
        string square = Op("Mul", [x, x]);
        string mean;
        if (graph.Opset >= 18)
        {
            string axes = Fresh(name + ".axes");
            graph.Int64Initializer(axes, -1);
            mean = Op("ReduceMean", [square, axes], ("keepdims", 1L));
        }
        else
        {
            mean = Op("ReduceMean", [square], new OnnxAttribute("axes", Ints: [-1]), ("keepdims", 1L));
        }
        string inverse = Op("Reciprocal", [Op("Sqrt", [Op("Add", [mean, epsilon])])]);
        return Op("Mul", [Op("Mul", [x, inverse]), weight]);
    }

    private string Activation(ActivationLayer a, string x) => a.Kind switch
    {
        ActivationKind.Relu => Op("Relu", [x]),
        ActivationKind.LeakyRelu => Op("LeakyRelu", [x], new OnnxAttribute("alpha", Float: (float)a.NegativeSlope)),
        ActivationKind.Tanh => Op("Tanh", [x]),
        ActivationKind.Sigmoid => Op("Sigmoid", [x]),
        ActivationKind.Softmax => Op("Softmax", [x], ("axis", -1L)),
        ActivationKind.Silu => Op("Mul", [x, Op("Sigmoid", [x])]),
        _ => Gelu(x),
    };

    /// <summary>torch.nn.GELU's exact form, 0.5·x·(1 + erf(x/√2)); opset 20 has it as one op.</summary>
    private string Gelu(string x)
    {
        if (graph.Opset >= 20) return Op("Gelu", [x]);
        string root2 = Fresh("sqrt2"), one = Fresh("one"), half = Fresh("half");
        graph.Initializer(root2, [MathF.Sqrt(2f)]);
        graph.Initializer(one, [1f]);
        graph.Initializer(half, [0.5f]);
        string erf = Op("Erf", [Op("Div", [x, root2])]);
        return Op("Mul", [Op("Mul", [x, Op("Add", [erf, one])]), half]);
    }

    private string Residual(ResidualLayer r, string x, Shape input, string name)
    {
        var (body, _) = Sequence(r.Body, x, input, name + ".body");
        string shortcut = r.Projection is null or { Count: 0 } ? x : Sequence(r.Projection, x, input, name + ".projection").Output;
        return Op("Add", [body, shortcut]);
    }

    private string Op(string type, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = Fresh(type.ToLowerInvariant());
        graph.Node(type, inputs, [output], "", attributes);
        return output;
    }

    private string Fresh(string stem) => stem + "_" + (_names++).ToString(CultureInfo.InvariantCulture);

    private float[] Weight(string name, long expected)
    {
        if (!state.TryGetValue(name, out var values)) throw Missing(name);
        if (values.LongLength != expected)
            throw new OnnxExportException(string.Create(CultureInfo.InvariantCulture, $"{source}: tensor '{name}' holds {values.LongLength} values, the spec implies {expected}"));
        return values;
    }

    private OnnxExportException Missing(string name) => new($"{source}: tensor '{name}' is missing from the weights");

    private static float[] Filled(long count, float value) => Enumerable.Repeat(value, (int)count).ToArray();
}
