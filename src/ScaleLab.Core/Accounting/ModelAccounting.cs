using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting;

/// <summary>
/// The one entry point for "what does this model cost": per-layer rows and totals (<see cref="ModelCost"/>).
/// Transformers go to <see cref="TransformerAccounting"/>; layer stacks are walked here, one row per layer,
/// a residual block as a container row followed by its body and projection rows one level deeper.
/// </summary>
public static class ModelAccounting
{
    /// <summary>
    /// Counts <paramref name="spec"/>. <paramref name="sequenceLength"/> overrides the tokens per sample of a sequence
    /// model (a transformer's context, or the first input dimension of a layer stack with embedding, recurrent or
    /// attention layers); it is ignored for models with no sequence dimension.
    /// </summary>
    public static ModelCost Account(ModelSpec spec, long? sequenceLength = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (sequenceLength is < 1)
            throw new SpecException(spec.Source, "sequence length", $"{sequenceLength} tokens; it must be at least 1");
        if (spec.Transformer is not null)
            return TransformerAccounting.Account(spec, sequenceLength ?? DefaultContext(spec));
        return LayerStack(spec, sequenceLength);
    }

    /// <summary>A transformer's default tokens per sample: the spec's context, else the longest it was trained for.</summary>
    public static long DefaultContext(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Input is { Rank: 1 } context) return context[0];
        return spec.Transformer?.MaxPositions ?? 1;
    }

    /// <summary>True when samples are sequences: token input, or any recurrent/attention layer (residual bodies included).</summary>
    public static bool IsSequenceModel(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Transformer is not null || spec.InputIsTokens || spec.Layers.Any(UsesSequence);
    }

    private static bool UsesSequence(LayerSpec layer) => layer switch
    {
        RecurrentLayer or AttentionLayer or EmbeddingLayer => true,
        ResidualLayer r => r.Body.Any(UsesSequence) || (r.Projection?.Any(UsesSequence) ?? false),
        _ => false,
    };

    private static ModelCost LayerStack(ModelSpec spec, long? sequenceLength)
    {
        var input = spec.Input ?? throw new SpecException(spec.Source, "top level", "a layer stack needs an 'input' shape");
        bool sequence = IsSequenceModel(spec);
        if (sequence && sequenceLength is { } s) input = new Shape(input.Dims.SetItem(0, s));
        var counted = spec with { Input = input };
        var rows = new List<LayerCost>();
        var shape = input;
        int layer = 0;
        try
        {
            for (; layer < spec.Layers.Count; layer++)
                shape = Walk(spec.Layers[layer], shape, counted.Source, $"layers[{layer}]", 0, rows);
            var cost = new ModelCost(counted, rows, sequence ? input[0] : 1);
            _ = (cost.Parameters, cost.ForwardFlops, cost.TrainingFlops, cost.ActivationElements);   // totals must fit too
            return cost;
        }
        catch (OverflowException)
        {
            // Each size is capped where it is read; only their products can still overflow (wide layers on large inputs).
            string where = layer < spec.Layers.Count ? $"layers[{layer}]" : "totals";
            throw new SpecException(spec.Source, where, $"with input {input} its parameter, FLOP or activation counts exceed 64 bits; use smaller layers or a smaller input");
        }
    }

    /// <summary>Adds the rows of one layer (and, for a residual block, its children) and returns its output shape.</summary>
    private static Shape Walk(LayerSpec layer, Shape input, string source, string path, int depth, List<LayerCost> rows)
    {
        if (layer is ResidualLayer residual)
        {
            int at = rows.Count;
            rows.Add(null!);    // the container row is filled in once its children are counted
            var body = input;
            for (int i = 0; i < residual.Body.Count; i++)
                body = Walk(residual.Body[i], body, source, $"{path}.body[{i}]", depth + 1, rows);
            var shortcut = input;
            for (int i = 0; i < (residual.Projection?.Count ?? 0); i++)
                shortcut = Walk(residual.Projection![i], shortcut, source, $"{path}.projection[{i}]", depth + 1, rows);
            // Validates body vs shortcut with the same message as spec loading.
            var output = ShapeInference.Output(residual, input, source, path);
            var children = rows.Skip(at + 1).Where(r => !r.IsContainer).ToList();
            rows[at] = new LayerCost(
                path, layer.Type, depth, output,
                children.Sum(c => c.Parameters), children.Sum(c => c.Buffers), children.Sum(c => c.ActiveParameters),
                children.Sum(c => c.ForwardMacs), children.Sum(c => c.AttentionMacs), children.Sum(c => c.ActivationElements),
                IsContainer: true) { Name = layer.Name };
            return output;
        }
        var shape = ShapeInference.Output(layer, input, source, path);
        var n = LayerCounting.Count(layer, input, shape);
        rows.Add(new LayerCost(path, layer.Type, depth, shape, n.Parameters, n.Buffers, n.Parameters, n.ForwardMacs, n.AttentionMacs, n.ActivationElements) { Name = layer.Name });
        return shape;
    }
}
