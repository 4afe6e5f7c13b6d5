using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting;

/// <summary>One leaf layer's raw counts per sample. See <see cref="LayerCounting"/> for the rules.</summary>
internal readonly record struct LayerCounts(long Parameters, long Buffers, long ForwardMacs, long AttentionMacs, long ActivationElements);

/// <summary>
/// Parameter, MAC and saved-activation counts for one layer of a layer stack, exactly as PyTorch's modules hold them.
/// Conventions (docs/estimate.md): MACs count only multiply-accumulates of linear maps (linear, conv, recurrent and
/// attention matmuls); norms, activations, pools, dropout and residual adds are elementwise and count 0, the
/// convention of torchvision's published "GFLOPS" and fvcore. Activation elements are what autograd saves for the
/// backward pass, per sample: a layer keeps its input unless it is a view (flatten) or needs only a mask (dropout).
/// </summary>
internal static class LayerCounting
{
    public static LayerCounts Count(LayerSpec layer, Shape input, Shape output) => layer switch
    {
        LinearLayer l => Linear(l, input),
        ConvLayer c => Conv(c, input, output),
        // Pools save their input; max pooling also its argmax indices (one per output element).
        PoolLayer { Kind: PoolKind.Max } => new(0, 0, 0, 0, checked(input.Elements + output.Elements)),
        PoolLayer or AdaptiveAvgPoolLayer => new(0, 0, 0, 0, input.Elements),
        FlattenLayer => default,
        BatchNormLayer b => BatchNorm(b, input),
        LayerNormLayer n => new(n.Affine ? input[-1] * (n.Bias ? 2 : 1) : 0, 0, 0, 0, input.Elements),
        RmsNormLayer => new(input[-1], 0, 0, 0, input.Elements),
        // The dropout mask, one entry per element (PyTorch stores it as bool: 1 byte; counted at activation precision).
        DropoutLayer => new(0, 0, 0, 0, output.Elements),
        // ReLU/sigmoid/tanh/softmax save their output, GELU/SiLU their input: one tensor of this size either way.
        ActivationLayer => new(0, 0, 0, 0, input.Elements),
        // A lookup, not a matmul: 0 MACs; backward needs only the token ids.
        EmbeddingLayer e => new(checked(e.Vocab * e.Dim), 0, 0, 0, input.Elements),
        RecurrentLayer r => Recurrent(r, input),
        AttentionLayer a => Attention(a, input),
        _ => throw new ArgumentException($"no counting rule for {layer.Type}", nameof(layer)),
    };

    /// <summary>weight (out × in) + bias (out); MACs = rows × in × out, rows = every position before the last dim.</summary>
    private static LayerCounts Linear(LinearLayer l, Shape input)
    {
        long inFeatures = input[-1];
        long rows = input.Elements / inFeatures;
        long weight = checked(l.Units * inFeatures);            // (out, in)
        long bias = l.Bias ? l.Units : 0;                         // (out)
        return new(checked(weight + bias), 0, checked(rows * weight), 0, input.Elements);
    }

    /// <summary>weight (F, C/g, k...) + bias (F); MACs = output elements × (C/g) × prod(k) (bias adds not counted).</summary>
    private static LayerCounts Conv(ConvLayer c, Shape input, Shape output)
    {
        long perFilter = checked(input[0] / c.Groups * c.Kernel.Aggregate(1L, (a, k) => a * k));
        long weight = checked(c.Filters * perFilter);             // (F, C/groups, kh, kw)
        long bias = c.Bias ? c.Filters : 0;                       // (F)
        return new(checked(weight + bias), 0, checked(output.Elements * perFilter), 0, input.Elements);
    }

    /// <summary>
    /// weight, bias (C) are parameters; running_mean, running_var (C) and num_batches_tracked (one int64) are buffers,
    /// as in PyTorch's state_dict (Keras has no step counter, so its "non-trainable" count is one lower).
    /// </summary>
    private static LayerCounts BatchNorm(BatchNormLayer b, Shape input)
    {
        long channels = input[0];
        return new(b.Affine ? 2 * channels : 0, checked(2 * channels + 1), 0, 0, input.Elements);
    }

    /// <summary>
    /// PyTorch's nn.RNN/LSTM/GRU: per layer and direction weight_ih (G·H, In), weight_hh (G·H, H), bias_ih and
    /// bias_hh (G·H each), G = 1, 4, 3 gates; layer l &gt; 0 reads the D·H outputs of layer l − 1. MACs per step are
    /// the two matmuls, G·H·(In + H). Saved per step: the input, the G·H gate values and the hidden (and cell) state.
    /// </summary>
    private static LayerCounts Recurrent(RecurrentLayer r, Shape input)
    {
        long steps = input[0];
        long gates = r.Kind switch { RecurrentKind.Lstm => 4, RecurrentKind.Gru => 3, _ => 1 };
        long h = r.Hidden;
        int directions = r.Bidirectional ? 2 : 1;
        long parameters = 0, macs = 0, saved = 0;
        for (int layer = 0; layer < r.NumLayers; layer++)
        {
            long inWidth = layer == 0 ? input[1] : directions * h;
            long perDirection = checked(gates * h * inWidth + gates * h * h + (r.Bias ? 2 * gates * h : 0));
            parameters = checked(parameters + directions * perDirection);
            macs = checked(macs + directions * steps * gates * h * (inWidth + h));
            saved = checked(saved + directions * steps * (inWidth + gates * h + 2 * h));
        }
        return new(parameters, 0, macs, 0, saved);
    }

    /// <summary>
    /// Self-attention over (S, E), head width hd = E / heads, K/V width kv·hd (GQA: Ainslie et al. 2023).
    /// Projections Q (E×E), K and V (E×kv·hd), O (E×E), each with a bias when asked (nn.MultiheadAttention's
    /// in_proj + out_proj when kv = heads). Scores QKᵀ: heads·S·S·hd MACs; AV: the same again — 2·S²·E in all,
    /// the terms other tools forget (counted in full here; ModelCost derives the causal figure).
    /// Saved: the input, Q, K, V, the softmax probabilities (heads·S·S) and the AV output that feeds O.
    /// </summary>
    private static LayerCounts Attention(AttentionLayer a, Shape input)
    {
        long s = input[0], e = input[1];
        long headDim = e / a.Heads;
        long kvWidth = checked((a.KvHeads ?? a.Heads) * headDim);
        long weights = checked(e * e + 2 * e * kvWidth + e * e);  // W_q (E,E), W_k (kv·hd,E), W_v (kv·hd,E), W_o (E,E)
        long biases = a.Bias ? checked(e + 2 * kvWidth + e) : 0;
        long projectionMacs = checked(s * weights);
        long attentionMacs = checked(2 * s * s * e);              // QKᵀ (heads·S·S·hd) + AV (heads·S·S·hd)
        long saved = checked(s * e + s * (e + 2 * kvWidth) + a.Heads * s * s + s * e);
        return new(checked(weights + biases), 0, checked(projectionMacs + attentionMacs), attentionMacs, saved);
    }
}
