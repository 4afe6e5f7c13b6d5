using System.Globalization;
using ScaleLab.Core.Spec;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// The model axes of a sweep, as pure functions from a spec to a spec. A layer stack's "sized" layers are its linear
/// (units), conv (filters), recurrent (hidden) and embedding (dim) layers, residual bodies and projections included,
/// in file order; the last one is the output layer (classes, vocabulary, regression targets) and is never resized.
/// Each function throws <see cref="TrialRejectedException"/> with the reason when the result cannot be a model.
/// </summary>
internal static class ModelScaling
{
    /// <summary>The hidden sized layers (all but the output layer): what width scales and layer_sizes sets, in order.</summary>
    public static IReadOnlyList<(string Path, LayerSpec Layer, long Size)> HiddenLayers(ModelSpec spec)
    {
        var all = new List<(string, LayerSpec, long)>();
        Collect(spec.Layers, "layers", all);
        return all.Count == 0 ? all : all[..^1];
    }

    /// <summary>Multiplies every hidden size by <paramref name="width"/>, rounding half away from zero.</summary>
    public static ModelSpec ScaleWidth(ModelSpec spec, double width)
    {
        if (spec.Transformer is { } t) return Transformer(spec, t with { DModel = Scaled(t.DModel, width, "d_model"), FfnSize = Scaled(t.FfnSize, width, "ffn_size") });
        var hidden = HiddenLayers(spec);
        if (hidden.Count == 0) throw new TrialRejectedException($"width: {spec.Name} has no hidden linear, conv, recurrent or embedding layer to widen (the last sized layer is the output)");
        var sizes = hidden.Select(h => Scaled(h.Size, width, h.Path, hidden.Min(x => x.Size))).ToList();
        return WithSizes(spec, sizes);
    }

    /// <summary>Sets the hidden sizes explicitly; the list must have one entry per hidden sized layer.</summary>
    public static ModelSpec SetLayerSizes(ModelSpec spec, IReadOnlyList<long> sizes)
    {
        if (spec.Transformer is not null) throw new TrialRejectedException("layer_sizes is for layer stacks; for a transformer use d_model and ffn_size");
        var hidden = HiddenLayers(spec);
        if (sizes.Count != hidden.Count)
        {
            throw new TrialRejectedException(
                $"layer_sizes has {sizes.Count} entries but {spec.Name} has {hidden.Count} hidden sized layers ({string.Join(", ", hidden.Select(h => $"{h.Path} {h.Size.ToString(CultureInfo.InvariantCulture)}"))}); give one size per hidden layer, the output layer excluded");
        }
        return WithSizes(spec, sizes);
    }

    /// <summary>Makes the top-level layers [start, end) appear <paramref name="depth"/> times in a row (depth 1 = unchanged).</summary>
    public static ModelSpec Repeat(ModelSpec spec, (int Start, int End)? block, int depth)
    {
        if (spec.Transformer is { } t) return Transformer(spec, t with { Layers = depth });
        if (block is not { } b)
            throw new TrialRejectedException("depth needs 'depth_block': [start, end], the top-level layers to repeat (e.g. [3, 5] for a linear + relu pair)");
        var layers = spec.Layers.Take(b.Start).ToList();
        var body = spec.Layers.Skip(b.Start).Take(b.End - b.Start).ToList();
        for (int i = 0; i < depth; i++) layers.AddRange(body);
        layers.AddRange(spec.Layers.Skip(b.End));
        return spec with { Layers = layers };
    }

    /// <summary>Sets a transformer's d_model; the feed-forward size keeps its ratio to d_model unless <paramref name="keepFfn"/>.</summary>
    public static ModelSpec SetDModel(ModelSpec spec, long dModel, bool keepFfn)
    {
        var t = spec.Transformer ?? throw new TrialRejectedException("d_model is for transformers; for a layer stack use width or layer_sizes");
        long ffn = keepFfn ? t.FfnSize : Math.Max(1, (long)Math.Round((double)t.FfnSize * dModel / t.DModel, MidpointRounding.AwayFromZero));
        return Transformer(spec, t with { DModel = dModel, FfnSize = ffn });
    }

    public static ModelSpec SetFfnSize(ModelSpec spec, long ffn)
    {
        var t = spec.Transformer ?? throw new TrialRejectedException("ffn_size is for transformers; for a layer stack use width or layer_sizes");
        return Transformer(spec, t with { FfnSize = ffn });
    }

    /// <summary>Sets the attention heads; key/value heads follow when the base model had as many as heads (plain multi-head attention).</summary>
    public static ModelSpec SetHeads(ModelSpec spec, int heads)
    {
        var t = spec.Transformer ?? throw new TrialRejectedException("heads is for transformers; a layer stack's attention heads are set in its spec");
        return Transformer(spec, t with { Heads = heads, KvHeads = t.KvHeads is int kv && kv != t.Heads ? kv : null });
    }

    /// <summary>The checks a transformer's shape must pass: heads divide d_model (unless head_dim is explicit), kv heads divide heads.</summary>
    public static void CheckTransformer(TransformerSpec t)
    {
        if (t.HeadDim is null && t.DModel % t.Heads != 0)
            throw new TrialRejectedException($"heads {t.Heads} do not divide d_model {t.DModel}; choose d_model a multiple of {t.Heads} or a heads count that divides {t.DModel}");
        if (t.Heads % t.EffectiveKvHeads != 0)
            throw new TrialRejectedException($"kv_heads {t.EffectiveKvHeads} do not divide heads {t.Heads}");
    }

    private static ModelSpec Transformer(ModelSpec spec, TransformerSpec t)
    {
        CheckTransformer(t);
        return spec with { Transformer = t };
    }

    private static long Scaled(long size, double width, string path, long? smallest = null)
    {
        double exact = size * width;
        long n = (long)Math.Round(exact, MidpointRounding.AwayFromZero);
        if (n >= 1) return n;
        double least = 0.5 / (smallest ?? size);
        throw new TrialRejectedException(
            $"{path}: {size.ToString(CultureInfo.InvariantCulture)} × width {width.ToString("G", CultureInfo.InvariantCulture)} = {exact.ToString("G4", CultureInfo.InvariantCulture)} rounds to 0; the smallest width that keeps every layer is {least.ToString("G4", CultureInfo.InvariantCulture)}");
    }

    private static ModelSpec WithSizes(ModelSpec spec, IReadOnlyList<long> sizes)
    {
        int next = 0;
        var layers = Map(spec.Layers, l => next < sizes.Count ? Resize(l, sizes[next++]) : l);
        return spec with { Layers = layers };
    }

    /// <summary>Rebuilds a layer list, passing each sized layer (in <see cref="Collect"/> order) through <paramref name="resize"/>.</summary>
    private static List<LayerSpec> Map(IReadOnlyList<LayerSpec> layers, Func<LayerSpec, LayerSpec> resize) =>
        [.. layers.Select(l => l switch
        {
            ResidualLayer r => r with { Body = Map(r.Body, resize), Projection = r.Projection is null ? null : Map(r.Projection, resize) },
            LinearLayer or ConvLayer or RecurrentLayer or EmbeddingLayer => resize(l),
            _ => l,
        })];

    private static void Collect(IReadOnlyList<LayerSpec> layers, string path, List<(string, LayerSpec, long)> into)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            string at = $"{path}[{i}]";
            switch (layers[i])
            {
                case ResidualLayer r:
                    Collect(r.Body, at + ".body", into);
                    if (r.Projection is not null) Collect(r.Projection, at + ".projection", into);
                    break;
                case var l when SizeOf(l) is long size:
                    into.Add(($"{at} ({l.Type})", l, size));
                    break;
            }
        }
    }

    private static long? SizeOf(LayerSpec layer) => layer switch
    {
        LinearLayer l => l.Units,
        ConvLayer c => c.Filters,
        RecurrentLayer r => r.Hidden,
        EmbeddingLayer e => e.Dim,
        _ => null,
    };

    private static LayerSpec Resize(LayerSpec layer, long size) => layer switch
    {
        LinearLayer l => l with { Units = size },
        ConvLayer c => c with { Filters = size },
        RecurrentLayer r => r with { Hidden = size },
        EmbeddingLayer e => e with { Dim = size },
        _ => layer,
    };
}

/// <summary>Why one trial of a sweep cannot be built; <see cref="TrialResolver"/> adds the trial's index and label.</summary>
#pragma warning disable CA1064 // internal on purpose: it never leaves the assembly, TrialResolver wraps it in a SweepException
internal sealed class TrialRejectedException : Exception
#pragma warning restore CA1064
{
    public TrialRejectedException() { }

    public TrialRejectedException(string message) : base(message) { }

    public TrialRejectedException(string message, Exception inner) : base(message, inner) { }
}
