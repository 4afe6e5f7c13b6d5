using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting;

/// <summary>
/// Activation elements a transformer keeps for the backward pass, one sequence of S tokens, tensor by tensor, after
/// Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models" (arXiv:2205.05198, §4.1).
/// The paper counts bytes for one GPT layer with 16-bit activations and 1-byte dropout masks, no recomputation:
///   attention 11·sbh + 5·as²b  (QKV input 2sbh, Q and K 4sbh, softmax 2as²b, its dropout mask as²b, dropout output
///   2as²b, V 2sbh, output-projection input 2sbh, output dropout mask sbh), MLP 19·sbh (first linear input 2sbh,
///   GELU input 8sbh, second linear input 8sbh, dropout mask sbh), two layer norms 4·sbh — sbh·(34 + 5as/h) in all.
/// ScaleLab reports elements at the activation precision (MemoryEstimator multiplies by its bytes), so at 16 bits a
/// 16-bit tensor is one element and a 1-byte mask is half of one: per layer, with b = 1, 17·sh + 2.5·as² elements.
/// Written per tensor, the same inventory also covers GQA (K and V are kv_heads·head_dim wide), any FFN width f
/// (the paper's 8sbh terms are its f = 4h), gated FFNs (gate, up, act(gate) and the product: 4f per token instead of
/// 2f), and mixture of experts (each token's FFN intermediates for top-k experts). Dropout masks are counted as the
/// paper does, even for models trained without dropout (Llama): an over-estimate of 0.5·sh + 0.5·as² per layer.
/// </summary>
internal static class TransformerActivationElements
{
    /// <summary>Elements of a 1-byte mask at 16-bit activation precision: half an element, rounded up.</summary>
    public static long Mask(long elements) => (elements + 1) / 2;

    /// <summary>A norm keeps its input (S, d): 2sbh bytes in the paper.</summary>
    public static long Norm(long s, long d) => checked(s * d);

    /// <summary>The shared input of Q, K and V (S, d), kept once (the paper's "QKV matmul input 2sbh").</summary>
    public static long QkvInput(long s, long d) => checked(s * d);

    /// <summary>
    /// The attention core: Q (S, H·hd) and K (S, kv·hd) for QKᵀ, V (S, kv·hd) for AV, the softmax output (H, S, S),
    /// its 1-byte dropout mask and the dropout output (H, S, S): 4sbh + 2sbh + 5as²b bytes in the paper.
    /// </summary>
    public static long AttentionCore(TransformerSpec t, long s)
    {
        long hd = t.EffectiveHeadDim;
        long q = checked(s * t.Heads * hd);
        long kv = checked(s * t.EffectiveKvHeads * hd);
        long scores = checked(t.Heads * s * s);
        return checked(q + 2 * kv + scores + Mask(scores) + scores);
    }

    /// <summary>The output projection's input (S, H·hd) and the 1-byte mask of the dropout after it (S, d).</summary>
    public static long OutputProjection(TransformerSpec t, long s) => OutputProjectionInput(s, checked(t.Heads * t.EffectiveHeadDim), t.DModel);

    /// <summary>An output projection's input (S, width) and the 1-byte mask of the dropout after it (S, d).</summary>
    public static long OutputProjectionInput(long s, long width, long d) => checked((s * width) + Mask(s * d));

    /// <summary>
    /// Multi-head latent attention's core, after kv_b_proj has expanded the latent: Q and K (S, H·qk), V (S, H·v), and
    /// the softmax, its mask and dropout output (H, S, S) as for <see cref="AttentionCore"/>.
    /// </summary>
    public static long LatentAttentionCore(TransformerSpec t, LatentAttention m, long s)
    {
        long q = checked(s * t.Heads * m.QkHeadDim);
        long v = checked(s * t.Heads * m.ValueHeadDim);
        long scores = checked(t.Heads * s * s);
        return checked((2 * q) + v + scores + Mask(scores) + scores);
    }

    /// <summary>The first FFN linear's input (S, d), shared by gate and up in a gated FFN (and by a MoE router).</summary>
    public static long FfnInput(long s, long d) => checked(s * d);

    /// <summary>
    /// The activation function's input (S, f) — for a gated FFN also the up projection and act(gate), whose product
    /// the paper's GELU-output term becomes; <paramref name="routedCopies"/> is top_k under mixture of experts.
    /// </summary>
    public static long FfnActivation(TransformerSpec t, long s, long width, long routedCopies) =>
        checked(s * width * (t.FeedForward == FeedForwardKind.Plain ? 1 : 3) * routedCopies);

    /// <summary>The second FFN linear's input (S, f) per routed copy, and the 1-byte mask of the dropout after it (S, d).</summary>
    public static long FfnDown(TransformerSpec t, long s, long width, long routedCopies) =>
        checked((s * width * routedCopies) + Mask(s * t.DModel));

    /// <summary>
    /// Korthikanti §4.3, after the last layer: the LM head's input (S, d) and the logits (S, V), which the cross-entropy
    /// keeps in fp32 (4sbv bytes): two 16-bit elements each.
    /// </summary>
    public static long LmHead(TransformerSpec t, long s) => checked((s * t.DModel) + (2 * s * t.VocabSize));
}
