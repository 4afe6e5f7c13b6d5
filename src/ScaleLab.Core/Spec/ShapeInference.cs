using System.Globalization;

namespace ScaleLab.Core.Spec;

/// <summary>
/// Per-sample shape propagation through a layer stack, as Keras does it: each layer's input is the previous
/// layer's output, so specs never state input sizes. Rules are SPEC_FORMAT.md's (channels first, like PyTorch).
/// A shape a layer cannot take fails with the layer's place, type, the offending field and both shapes.
/// </summary>
public static class ShapeInference
{
    /// <summary>The output shape of every top-level layer, in order; throws <see cref="SpecException"/> on the first misfit.</summary>
    public static IReadOnlyList<Shape> Outputs(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var shape = spec.Input ?? throw new SpecException(spec.Source, "top level", "a layer stack needs an 'input' shape");
        if (spec.InputIsTokens && spec.Layers.Count > 0 && spec.Layers[0] is not EmbeddingLayer)
            throw new SpecException(spec.Source, Location("layers[0]", spec.Layers[0]), "input_tokens is true, so the first layer must be an embedding that turns token ids into vectors");
        var outputs = new List<Shape>(spec.Layers.Count);
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            shape = Output(spec.Layers[i], shape, spec.Source, $"layers[{i}]");
            outputs.Add(shape);
        }
        return outputs;
    }

    /// <summary>The model's output shape for one sample.</summary>
    public static Shape Infer(ModelSpec spec) => Outputs(spec) is { Count: > 0 } o ? o[^1] : spec.Input!;

    /// <summary>"layers[3] (conv2d)": how messages and summaries name a layer.</summary>
    public static string Location(string path, LayerSpec layer) => $"{path} ({layer.Type})";

    /// <summary>Output of one layer (a residual block included) for <paramref name="input"/>; <paramref name="path"/> is e.g. "layers[3]".</summary>
    public static Shape Output(LayerSpec layer, Shape input, string source, string path)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        string where = Location(path, layer);
        SpecException Fail(string problem) => new(source, where, problem);
        return layer switch
        {
            LinearLayer l => input.WithLast(l.Units),
            ConvLayer c => Conv(c, input, Fail),
            PoolLayer p => Pool(p, input, Fail),
            AdaptiveAvgPoolLayer a => AdaptivePool(a, input, Fail),
            FlattenLayer => Shape.Of(input.Elements),
            BatchNormLayer { Rank: 1 } when input.Rank is 1 or 2 => input,
            BatchNormLayer { Rank: 1 } => throw Fail($"expects (C) or (C, L) per sample, got {input} (rank {input.Rank})"),
            BatchNormLayer when input.Rank == 3 => input,
            BatchNormLayer => throw Fail($"expects (C, H, W) per sample, got {input} (rank {input.Rank})"),
            LayerNormLayer or RmsNormLayer or DropoutLayer or ActivationLayer => input,
            EmbeddingLayer e when input.Rank == 1 => Shape.Of(input[0], e.Dim),
            EmbeddingLayer => throw Fail($"expects token ids (S) per sample, got {input} (rank {input.Rank})"),
            RecurrentLayer r => Recurrent(r, input, Fail),
            AttentionLayer a => Attention(a, input, Fail),
            ResidualLayer r => Residual(r, input, source, path, Fail),
            _ => throw Fail("has no shape rule"),
        };
    }

    /// <summary>out = floor((in + 2·pad − dilation·(k−1) − 1) / stride) + 1 (PyTorch Conv2d docs, "Shape").</summary>
    private static Shape Conv(ConvLayer c, Shape input, Func<string, SpecException> fail)
    {
        RequireSpatial(input, c.Rank, fail);
        long channels = input[0];
        if (channels % c.Groups != 0)
            throw fail($"groups {c.Groups} does not divide the {channels} input channels");
        if (c.Filters % c.Groups != 0)
            throw fail($"groups {c.Groups} does not divide filters {c.Filters}");
        if (c.PaddingMode == PaddingMode.Same && c.Stride.Any(s => s != 1))
            throw fail($"padding \"same\" needs stride 1 (as in PyTorch), got stride {Tuple(c.Stride)}; give an explicit padding instead");
        var dims = new long[c.Rank + 1];
        dims[0] = c.Filters;
        for (int d = 0; d < c.Rank; d++)
        {
            long size = input[d + 1];
            long span = (long)c.Dilation[d] * (c.Kernel[d] - 1) + 1;
            if (c.PaddingMode == PaddingMode.Same)
            {
                // PyTorch pads dilation·(k−1) in total (the extra one on the right when odd): output = input.
                dims[d + 1] = size;
                continue;
            }
            long padded = size + 2L * c.Padding[d];
            if (span > padded) throw fail(TooLarge(c.Kernel, c.Dilation, c.Padding, input, d, span));
            dims[d + 1] = (padded - span) / c.Stride[d] + 1;
        }
        return new Shape(dims);
    }

    /// <summary>Same formula as convolution, dilation 1, floor mode (PyTorch's default ceil_mode=False).</summary>
    private static Shape Pool(PoolLayer p, Shape input, Func<string, SpecException> fail)
    {
        RequireSpatial(input, p.Rank, fail);
        var dims = new long[p.Rank + 1];
        dims[0] = input[0];
        var ones = Enumerable.Repeat(1, p.Rank).ToArray();
        for (int d = 0; d < p.Rank; d++)
        {
            long padded = input[d + 1] + 2L * p.Padding[d];
            if (p.Kernel[d] > padded) throw fail(TooLarge(p.Kernel, ones, p.Padding, input, d, p.Kernel[d]));
            dims[d + 1] = (padded - p.Kernel[d]) / p.Stride[d] + 1;
        }
        return new Shape(dims);
    }

    private static Shape AdaptivePool(AdaptiveAvgPoolLayer a, Shape input, Func<string, SpecException> fail)
    {
        RequireSpatial(input, a.Rank, fail);
        return new Shape([input[0], .. a.OutputSize.Select(o => (long)o)]);
    }

    /// <summary>(S, F) → (S, D·H), or (D·H) for the last step only.</summary>
    private static Shape Recurrent(RecurrentLayer r, Shape input, Func<string, SpecException> fail)
    {
        if (input.Rank != 2) throw fail($"expects a sequence (S, F) per sample, got {input} (rank {input.Rank})");
        long width = checked(r.Hidden * (r.Bidirectional ? 2 : 1));
        return r.ReturnSequences ? Shape.Of(input[0], width) : Shape.Of(width);
    }

    private static Shape Attention(AttentionLayer a, Shape input, Func<string, SpecException> fail)
    {
        if (input.Rank != 2) throw fail($"expects a sequence (S, E) per sample, got {input} (rank {input.Rank})");
        if (input[1] % a.Heads != 0)
            throw fail($"heads {a.Heads} does not divide the embedding width {input[1]}; each head gets E/heads features");
        return input;
    }

    /// <summary>y = body(x) + shortcut(x): both branches must end in the same shape.</summary>
    private static Shape Residual(ResidualLayer r, Shape input, string source, string path, Func<string, SpecException> fail)
    {
        var body = input;
        for (int i = 0; i < r.Body.Count; i++) body = Output(r.Body[i], body, source, $"{path}.body[{i}]");
        var shortcut = input;
        if (r.Projection is { } projection)
        {
            for (int i = 0; i < projection.Count; i++) shortcut = Output(projection[i], shortcut, source, $"{path}.projection[{i}]");
        }
        if (body.Equals(shortcut)) return body;
        return r.Projection is null
            ? throw fail($"body output {body} does not match the block input {input}; add a 'projection' (e.g. a 1x1 conv with the same stride) or keep the shape")
            : throw fail($"body output {body} does not match the projection output {shortcut}");
    }

    private static void RequireSpatial(Shape input, int rank, Func<string, SpecException> fail)
    {
        if (input.Rank == rank + 1) return;
        string want = rank == 1 ? "(C, L)" : "(C, H, W)";
        throw fail($"expects {want} per sample, got {input} (rank {input.Rank})");
    }

    private static string TooLarge(IReadOnlyList<int> kernel, IReadOnlyList<int> dilation, IReadOnlyList<int> padding, Shape input, int d, long span)
    {
        string spatial = string.Join('x', input.Dims.Skip(1).Select(x => x.ToString(CultureInfo.InvariantCulture)));
        string text = $"kernel {Tuple(kernel)}";
        if (dilation[d] != 1) text += $" with dilation {Tuple(dilation)} spans {span} and";
        text += $" is larger than its {spatial} input";
        if (padding.Any(p => p != 0)) text += $" padded by {Tuple(padding)}";
        return text;
    }

    private static string Tuple(IReadOnlyList<int> values) => values.Distinct().Count() == 1
        ? values[0].ToString(CultureInfo.InvariantCulture)
        : "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";
}
