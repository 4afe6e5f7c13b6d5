using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>
/// The autograd tape of a transformer as ScaleLab's TransformerModel builds it (no dropout modules: the builder trains
/// without them), op by op through <see cref="TapeOps"/>: embeddings, each block's norms, attention and FFN or mixture
/// of experts with its residual adds, the final norm, the LM head and the loss. Norm placements other than pre-norm
/// use the same ops in their own order. Multi-head latent attention, attention sinks and local windows (written-out
/// attention that keeps the S×S probabilities) are not modelled yet: <see cref="Supports"/> says so.
/// </summary>
public static class TransformerTape
{
    public static bool Supports(TransformerSpec t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.Latent is null && !t.AttentionSinks && t.Local is null && t.QkNorm == QkNormKind.None
            && t.Placement == NormPlacement.Pre && t.TypeVocabSize == 0 && !t.Pooler && t.LmHead && t.SharedExperts == 0 && !t.RouterScoreBias;
    }

    public static AutogradTape Build(ModelCost cost, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var t = cost.Spec.Transformer ?? throw new ArgumentException("not a transformer", nameof(cost));
        if (!Supports(t)) throw new ArgumentException($"{cost.Spec.Name}: its attention or block layout has no autograd rule yet", nameof(cost));
        long s = cost.SequenceLength, d = t.DModel;
        var tape = new AutogradTape();
        var ops = new TapeOps(tape, precision);
        int ids = tape.Input("token_ids", checked(8 * s));
        long table = checked(t.VocabSize * d);
        int x = ops.Parameterised("embed.tokens", "embedding", ids, ops.Bytes(checked(s * d)), [], table, table);
        if (t.Positions == PositionKind.Learned)
        {
            // The position table's lookup is (S, D) for the whole batch; the sum is a new per-sample tensor.
            long positions = checked(t.MaxPositions * d);
            ops.NoteParameter(positions);
            x = tape.Node("embed.positions", "add", [x], ops.Bytes(checked(s * d)), [], ops.Bytes(positions));
        }

        for (int layer = 0; layer < t.Layers; layer++)
            x = Block(ops, t, layer, x, s);
        if (t.FinalNorm) x = Norm(ops, t, "final_norm", x, s);
        int logits = t.TiedEmbeddings
            ? tape.Node("lm_head", "linear", [x], ops.Bytes(checked(s * t.VocabSize)), [x], ops.Bytes(table),   // tied: the table's gradient again
                work: new TapeWork([new TapeGemm(s, d, t.VocabSize)], 0, 0, 1))
            : ops.Linear("lm_head", x, s, d, t.VocabSize, bias: false);
        ops.Loss(logits, checked(s * t.VocabSize), checked(8 * s), TaskKind.LanguageModel);
        return tape;
    }

    private static int Block(TapeOps ops, TransformerSpec t, int layer, int x, long s)
    {
        string path = $"blocks[{layer}]";
        var shape = new TapeAttention(t.DModel, t.Heads, t.EffectiveKvHeads, t.EffectiveHeadDim,
            QkvBias: t.Bias != BiasKind.None, OutputBias: t.Bias == BiasKind.All, Rotary: t.Positions == PositionKind.Rotary,
            Causal: t.Kind == TransformerKind.Decoder);
        int attention = ops.Attention($"{path}.attn", Norm(ops, t, $"{path}.attn_norm", x, s), s, shape);
        int residual = ops.Tape.Node(path, "add", [x, attention], ops.Bytes(checked(s * t.DModel)), []);
        int normed = Norm(ops, t, $"{path}.mlp_norm", residual, s);
        bool bias = t.FfnBias ?? t.Bias == BiasKind.All;
        int ffn = t.IsMoeLayer(layer)
            ? MixtureOfExperts(ops, t, $"{path}.moe", normed, s, bias)
            : ops.FeedForward($"{path}.mlp", normed, s, t.DModel, t.FfnSize, t.FeedForward, t.Activation, bias);
        return ops.Tape.Node(path, "add", [residual, ffn], ops.Bytes(checked(s * t.DModel)), []);
    }

    private static int Norm(TapeOps ops, TransformerSpec t, string path, int x, long s) => t.Norm == NormKind.RmsNorm
        ? ops.RmsNorm(path, x, s, t.DModel)
        : ops.LayerNorm(path, x, s, t.DModel, affine: true, t.NormBias);

    /// <summary>
    /// ScaleLab's MixtureOfExperts over S tokens with routing assumed balanced (each expert gets S·k/E rows, what a
    /// freshly initialised router gives on average): the router linear; gather (saves the int64 top-k indices) and
    /// softmax (saves its S·k result); per expert the routed weight (a mask multiply saving the bool mask, an
    /// index_select saving the rows), the token gather (saves the rows), the expert FFN, the weighted output (saves
    /// both factors) and index_add into the running sum (saves the rows).
    /// </summary>
    private static int MixtureOfExperts(TapeOps ops, TransformerSpec t, string path, int x, long s, bool bias)
    {
        var tape = ops.Tape;
        long d = t.DModel, k = t.TopK, rows = Math.Max(1, s * k / t.Experts);
        int logits = ops.Linear($"{path}.router", x, s, d, t.Experts, t.RouterBias);
        int chosen = tape.Internal($"{path}.topk_indices", checked(8 * s * k));
        // topk and the zeros the sum starts from are unrecorded launches; the flattening reshape of the tokens and the
        // output's reshape back are views, in forward and backward.
        // topk over the E router logits runs row by row (E is narrower than a vector): priced at its measured rate here.
        int gathered = tape.Node($"{path}.router", "gather", [logits], ops.Bytes(s * k), [chosen],
            work: TapeWork.Elementwise(ops.Bytes(checked(3 * s * k))) with { Launches = 6, Row = new TapeRowOp(RowOps.TopK, t.Experts, s) });
        int weights = tape.Node($"{path}.router", "softmax", [gathered], ops.Bytes(s * k), [AutogradTape.Self],
            work: TapeWork.Elementwise(ops.Bytes(checked(2 * s * k))) with { Row = new TapeRowOp(RowOps.Softmax, k, s) });
        int output = -1;
        for (int e = 0; e < t.Experts; e++)
        {
            // Node names follow the summary's rows: the routing ops belong to the router, the FFNs to "experts".
            string expert = $"{path}.router";
            int mask = tape.Internal($"{expert}.picked[{e}]", s * k);
            // The mask (eq), the rows it picks (any, nonzero, squeeze): launches before the recorded multiply.
            int masked = tape.Node(expert, "mul_mask", [weights], ops.Bytes(s * k), [mask],
                work: TapeWork.Elementwise(ops.Bytes(checked(3 * s * k))) with { Launches = 4 });
            int summed = tape.Node(expert, "sum", [masked], ops.Bytes(s), [],
                work: TapeWork.Elementwise(ops.Bytes(checked((s * k) + s))) with { Row = new TapeRowOp(RowOps.Sum, k, s) });
            int index = tape.Internal($"{expert}.rows[{e}]", checked(8 * rows));
            int weight = tape.Node(expert, "index_select", [summed], ops.Bytes(rows), [index]);
            int tokens = tape.Node(expert, "index_select", [x], ops.Bytes(checked(rows * d)), [index]);
            int y = ops.FeedForward($"{path}.experts", tokens, rows, d, t.EffectiveExpertFfnSize, t.FeedForward, t.Activation, bias, $"{path}.act");
            // The weight's unsqueeze is a view, in forward and backward.
            int scaled = tape.Node(expert, "mul", [y, weight], ops.Bytes(checked(rows * d)), [y, weight],
                work: TapeWork.Elementwise(ops.Bytes(checked((2 * rows * d) + rows))) with { Launches = 2 });
            output = output < 0
                ? tape.Node(expert, "index_add", [scaled], ops.Bytes(checked(s * d)), [index])
                : tape.Node(expert, "index_add", [output, scaled], ops.Bytes(checked(s * d)), [index]);
        }

        return output;
    }
}
