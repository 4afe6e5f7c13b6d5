using System.Globalization;
using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// Turns a layer list into modules, carrying the per-sample shape from layer to layer so every module gets its
/// input size (in_features, in_channels) and a layer that cannot take its input is reported with both shapes.
/// Submodules are named by position ("0", "1", …), so parameters read "layers.3.weight" like the spec's layers[3].
/// </summary>
internal sealed class LayerStackBuilder(string source)
{
    public (nn.Module<Tensor, Tensor> Module, Shape Output) BuildSequence(IReadOnlyList<LayerSpec> layers, Shape input, string path)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var shape = input;
        for (int i = 0; i < layers.Count; i++)
        {
            string location = $"{path}[{i.ToString(CultureInfo.InvariantCulture)}] ({layers[i].Type})";
            var (module, output) = BuildLayer(layers[i], shape, location);
            modules.Add((i.ToString(CultureInfo.InvariantCulture), module));
            shape = output;
        }

        return (nn.Sequential(modules), shape);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "the layer goes to the caller, which registers it in the stack that disposes it")]
    private (nn.Module<Tensor, Tensor>, Shape) BuildLayer(LayerSpec layer, Shape input, string location) => layer switch
    {
        LinearLayer l => (nn.Linear(input[-1], l.Units, hasBias: l.Bias), input.WithLast(l.Units)),
        FlattenLayer => (nn.Flatten(), Shape.Of(input.Elements)),
        ConvLayer c => BuildConv(c, input, location),
        PoolLayer p => BuildPool(p, input, location),
        AdaptiveAvgPoolLayer a => BuildAdaptivePool(a, input, location),
        BatchNormLayer b => BuildBatchNorm(b, input, location),
        LayerNormLayer n => (nn.LayerNorm(input[-1], n.Epsilon, n.Affine, n.Affine && n.Bias), input),
        RmsNormLayer r => (new RmsNorm(input[-1], r.Epsilon), input),
        DropoutLayer d => (nn.Dropout(d.Rate), input),
        ActivationLayer a => (BuildActivation(a), input),
        EmbeddingLayer e => BuildEmbedding(e, input, location),
        RecurrentLayer r => BuildRecurrent(r, input, location),
        AttentionLayer a => BuildAttention(a, input, location),
        ResidualLayer r => BuildResidual(r, input, location),
        _ => throw new SpecException(source, location, $"layer type '{layer.Type}' cannot be built"),
    };

    private (nn.Module<Tensor, Tensor>, Shape) BuildConv(ConvLayer c, Shape input, string location)
    {
        RequireRank(input, c.Rank + 1, location, c.Rank == 1 ? "(C, L)" : "(C, H, W)");
        long channels = input[0];
        if (c.Groups < 1 || channels % c.Groups != 0 || c.Filters % c.Groups != 0)
        {
            throw new SpecException(source, location, $"groups {c.Groups.ToString(CultureInfo.InvariantCulture)} must divide both the input channels ({channels.ToString(CultureInfo.InvariantCulture)}) and filters ({c.Filters.ToString(CultureInfo.InvariantCulture)})");
        }

        var (before, after) = ConvPadding.Of(c, input);
        var outDims = new List<long> { c.Filters };
        for (int d = 0; d < c.Rank; d++)
        {
            long span = (c.Dilation[d] * (c.Kernel[d] - 1L)) + 1;
            long outSize = (input[d + 1] + before[d] + after[d] - span) / c.Stride[d] + 1;   // PyTorch Conv2d shape formula
            if (outSize < 1) throw ShapeTooSmall(input, location);
            outDims.Add(outSize);
        }

        var module = new Convolution(channels, c.Filters, ToLongs(c.Kernel), ToLongs(c.Stride), ToLongs(c.Dilation), c.Groups, c.Bias, before, after);
        return (module, new Shape(outDims));
    }

    private (nn.Module<Tensor, Tensor>, Shape) BuildPool(PoolLayer p, Shape input, string location)
    {
        RequireRank(input, p.Rank + 1, location, p.Rank == 1 ? "(C, L)" : "(C, H, W)");
        var outDims = new List<long> { input[0] };
        for (int d = 0; d < p.Rank; d++)
        {
            long outSize = (input[d + 1] + 2L * p.Padding[d] - p.Kernel[d]) / p.Stride[d] + 1;   // floor mode, as torch.nn.MaxPool2d
            if (outSize < 1) throw ShapeTooSmall(input, location);
            outDims.Add(outSize);
        }

        nn.Module<Tensor, Tensor> module = (p.Kind, p.Rank) switch
        {
            (PoolKind.Max, 1) => nn.MaxPool1d(p.Kernel[0], p.Stride[0], p.Padding[0]),
            (PoolKind.Average, 1) => nn.AvgPool1d(p.Kernel[0], p.Stride[0], p.Padding[0]),
            (PoolKind.Max, _) => nn.MaxPool2d(ToLongs(p.Kernel), ToLongs(p.Stride), ToLongs(p.Padding)),
            _ => nn.AvgPool2d(ToLongs(p.Kernel), ToLongs(p.Stride), ToLongs(p.Padding)),
        };
        return (module, new Shape(outDims));
    }

    private (nn.Module<Tensor, Tensor>, Shape) BuildAdaptivePool(AdaptiveAvgPoolLayer a, Shape input, string location)
    {
        RequireRank(input, a.Rank + 1, location, a.Rank == 1 ? "(C, L)" : "(C, H, W)");
        long[] size = a.Global ? [.. Enumerable.Repeat(1L, a.Rank)] : ToLongs(a.OutputSize);
        nn.Module<Tensor, Tensor> module = a.Rank == 1 ? nn.AdaptiveAvgPool1d(size[0]) : nn.AdaptiveAvgPool2d(size);
        return (module, new Shape([input[0], .. size]));
    }

    private (nn.Module<Tensor, Tensor>, Shape) BuildBatchNorm(BatchNormLayer b, Shape input, string location)
    {
        if (b.Rank == 2) RequireRank(input, 3, location, "(C, H, W)");
        else if (input.Rank is not (1 or 2)) RequireRank(input, 2, location, "(C) or (C, L)");
        nn.Module<Tensor, Tensor> module = b.Rank == 1
            ? nn.BatchNorm1d(input[0], b.Epsilon, b.Momentum, b.Affine)
            : nn.BatchNorm2d(input[0], b.Epsilon, b.Momentum, b.Affine);
        return (module, input);
    }

    private static nn.Module<Tensor, Tensor> BuildActivation(ActivationLayer a) => a.Kind switch
    {
        ActivationKind.Relu => nn.ReLU(),
        ActivationKind.LeakyRelu => nn.LeakyReLU(a.NegativeSlope),
        ActivationKind.Gelu => nn.GELU(),
        ActivationKind.Silu => nn.SiLU(),
        ActivationKind.Tanh => nn.Tanh(),
        ActivationKind.Sigmoid => nn.Sigmoid(),
        _ => nn.Softmax(-1),
    };

    private (nn.Module<Tensor, Tensor>, Shape) BuildEmbedding(EmbeddingLayer e, Shape input, string location)
    {
        RequireRank(input, 1, location, "(S) token ids");
        return (nn.Embedding(e.Vocab, e.Dim), Shape.Of(input[0], e.Dim));
    }

    private (nn.Module<Tensor, Tensor>, Shape) BuildRecurrent(RecurrentLayer r, Shape input, string location)
    {
        RequireRank(input, 2, location, "(S, F)");
        long width = (r.Bidirectional ? 2 : 1) * r.Hidden;
        var output = r.ReturnSequences ? Shape.Of(input[0], width) : Shape.Of(width);
        return (new RecurrentBlock(r, input[1]), output);
    }

    private (nn.Module<Tensor, Tensor>, Shape) BuildAttention(AttentionLayer a, Shape input, string location)
    {
        RequireRank(input, 2, location, "(S, E)");
        long width = input[1];
        int kvHeads = a.KvHeads ?? a.Heads;
        if (a.Heads < 1 || width % a.Heads != 0 || kvHeads < 1 || a.Heads % kvHeads != 0)
        {
            throw new SpecException(source, location, string.Create(CultureInfo.InvariantCulture,
                $"heads {a.Heads} must divide the width {width}, and kv_heads {kvHeads} must divide heads"));
        }

        var shape = new AttentionShape(width, a.Heads, kvHeads, width / a.Heads, a.Causal, a.Bias, a.Bias, RopeTheta: null);
        return (new SelfAttention(shape), input);
    }

    private (nn.Module<Tensor, Tensor>, Shape) BuildResidual(ResidualLayer r, Shape input, string location)
    {
        var (body, bodyOut) = BuildSequence(r.Body, input, location + ".body");
        if (r.Projection is null or { Count: 0 })
        {
            if (!bodyOut.Equals(input)) throw new SpecException(source, location, $"the body turns {input} into {bodyOut}, so the identity shortcut cannot be added; give a projection");
            return (new ResidualBlock(body, null), bodyOut);
        }

        var (projection, projectionOut) = BuildSequence(r.Projection, input, location + ".projection");
        if (!bodyOut.Equals(projectionOut)) throw new SpecException(source, location, $"the body gives {bodyOut} but the projection gives {projectionOut}; they must match to be added");
        return (new ResidualBlock(body, projection), bodyOut);
    }

    private void RequireRank(Shape input, int rank, string location, string expected)
    {
        if (input.Rank != rank) throw new SpecException(source, location, $"expects a {expected} input per sample, got {input}");
    }

    private SpecException ShapeTooSmall(Shape input, string location) =>
        new(source, location, $"the input {input} is too small for this kernel, stride and padding (the output would be empty)");

    private static long[] ToLongs(IReadOnlyList<int> values) => [.. values.Select(v => (long)v)];
}
