using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Planning;

/// <summary>Activation bytes one GPU keeps for the backward pass of a transformer, with how they were counted.</summary>
/// <param name="PerLayerBytes">One transformer layer, one micro-batch.</param>
/// <param name="LayersPerStage">Transformer layers on the busiest pipeline stage: ⌈L / pp⌉.</param>
/// <param name="MicroBatchesInFlight">Micro-batches whose activations that stage holds at once (1F1B: pp on the first stage).</param>
/// <param name="EmbeddingBytes">Embedding-layer activations on that stage (the dropout mask, for all in-flight micro-batches).</param>
/// <param name="OutputBytes">Final norm, LM-head input and fp32 logits, when that stage is also the last one.</param>
public sealed record ActivationBytes(long PerLayerBytes, long LayersPerStage, int MicroBatchesInFlight, long EmbeddingBytes, long OutputBytes)
{
    public long Total => checked((PerLayerBytes * LayersPerStage * MicroBatchesInFlight) + EmbeddingBytes + OutputBytes);
}

/// <summary>
/// Activation memory of a transformer under tensor, sequence and pipeline parallelism and recomputation, after
/// Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models" (arXiv:2205.05198).
/// For a GPT layer with s tokens, micro-batch b, width h, a heads, 16-bit activations and 1-byte dropout masks the paper
/// finds sbh·(34 + 5as/h) bytes (§4.1: attention 11sbh + 5as²b, MLP 19sbh, two layer norms 4sbh), and, with tensor
/// parallel size t (§4.2, Table 2): sbh·(10 + 24/t + 5as/(ht)); adding sequence parallelism: sbh·(34 + 5as/h)/t;
/// selective recomputation drops the 5as²b attention-core term; full recomputation keeps only the layer input, 2sbh.
/// The count below is the same inventory written per tensor, so it also covers GQA (fewer K/V heads), gated FFNs
/// (SwiGLU keeps gate, up, act(gate) and their product: 4·f per token instead of 2·f), any FFN width f, and mixture of
/// experts (each token passes through top-k experts); for GPT shapes it reproduces the paper's numbers exactly.
/// A mixture of experts also keeps the fp32 router probabilities and, per routed token copy, the dispatched input and the
/// expert's output (Megatron-Core's token permutation keeps both); a capacity factor pads every expert's buffer.
/// With a fused attention kernel (<see cref="AttentionKernel.Flash"/>) no s × s tensor is kept: the kernel saves one
/// fp32 log-sum-exp per head and token instead (FlashAttention-2, Dao 2023, §3.1, Algorithm 1's L), and regenerates
/// its dropout mask from the random generator's state (FlashAttention, Dao et al. 2022, §3.1).
/// Context parallelism splits the sequence: each of the cp ranks keeps every tensor for its s/cp tokens, and with eager
/// attention its queries' scores against all s keys (a·(s/cp)·s per sequence); the K/V chunks passed around the ring
/// are transient and not counted.
/// </summary>
public static class TransformerActivations
{
    public static ActivationBytes Compute(
        TransformerSpec model, long sequence, long microBatch, ParallelLayout layout,
        ActivationRecompute recompute, int bytesPerElement = 2, bool dropout = true,
        AttentionKernel attention = AttentionKernel.Eager, bool? attentionDropout = null, double capacityFactor = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layout);
        if (!double.IsFinite(capacityFactor) || capacityFactor < 1)
            throw new PlanningException($"--capacity-factor {capacityFactor.ToString(System.Globalization.CultureInfo.InvariantCulture)}: it must be at least 1 (1 is dropless routing; 1.25 is GShard's and Switch's)");
        long s = sequence / layout.ContextParallel, b = microBatch, h = model.DModel, e = bytesPerElement;   // this rank's tokens
        long t = layout.TensorParallel;
        bool sp = layout.SequenceParallel;
        long sb = checked(s * b), sbh = checked(sb * h);
        long perLayer = recompute == ActivationRecompute.Full
            ? Split(checked(e * sbh), 0, t, sp)   // only the layer input is kept; split t ways only inside the sequence-parallel region
            : HeaviestLayerBytes(model, s, sequence, b, t, sp, e, dropout, attentionDropout ?? dropout, attention, capacityFactor, keepScores: recompute == ActivationRecompute.None);

        int pp = layout.PipelineParallel;
        long layersPerStage = (model.Layers + pp - 1) / pp;
        // 1F1B (Narayanan et al. 2021, §2.2): the first stage runs pp forward passes before its first backward, so it holds
        // pp micro-batches; the last stage holds one. Korthikanti §4.2.3: the first stage's total is about one full model's
        // worth for a single micro-batch.
        long embedding = dropout ? Split(sbh, 0, t, sp) : 0;   // 1-byte dropout mask on the embedding output
        long output = model.LmHead ? OutputBytes(model, sb, t, sp, e) : 0;
        var first = new ActivationBytes(perLayer, layersPerStage, pp, checked(embedding * pp), pp == 1 ? output : 0);
        if (pp == 1) return first;
        var last = new ActivationBytes(perLayer, layersPerStage, 1, 0, output);
        return last.Total > first.Total ? last : first;
    }

    /// <summary>
    /// Layers differ in current models (DeepSeek's dense first layers, Llama 4's interleaving): every layer is counted as
    /// the heaviest kind present, which bounds the stage's total from above (the dense and routed figures differ by
    /// a few percent for DeepSeek-V3: 18,432-wide dense against 8 × 2,048 routed plus a 2,048 shared expert).
    /// </summary>
    private static long HeaviestLayerBytes(TransformerSpec m, long s, long keys, long b, long t, bool sp, long e, bool dropout, bool attentionDropout,
        AttentionKernel attention, double capacityFactor, bool keepScores)
    {
        bool hasMoe = Enumerable.Range(0, m.Layers).Any(m.IsMoeLayer);
        bool hasDense = !m.IsMixtureOfExperts || Enumerable.Range(0, m.Layers).Any(i => !m.IsMoeLayer(i));
        long moe = hasMoe ? LayerBytes(m, s, keys, b, t, sp, e, dropout, attentionDropout, attention, capacityFactor, keepScores, routed: true) : 0;
        long dense = hasDense ? LayerBytes(m, s, keys, b, t, sp, e, dropout, attentionDropout, attention, capacityFactor, keepScores, routed: false) : 0;
        return Math.Max(moe, dense);
    }

    /// <summary>One layer, one micro-batch, with recomputation off (keepScores) or selective; a routing or a dense layer.</summary>
    private static long LayerBytes(TransformerSpec m, long s, long keys, long b, long t, bool sp, long e, bool dropout, bool attentionDropout,
        AttentionKernel attention, double capacityFactor, bool keepScores, bool routed)
    {
        long sb = checked(s * b), h = m.DModel;
        long f = routed ? m.EffectiveExpertFfnSize : m.FfnSize;
        // Widths of Q, K, V and the attention output. MLA (DeepSeek-V2 §2.1) expands its latent into H heads of
        // qk = nope + rope for Q and K and v for V before attending, so those are what autograd keeps.
        var (qWidth, kWidth, vWidth) = m.Latent is { } mla
            ? (m.Heads * mla.QkHeadDim, m.Heads * mla.QkHeadDim, m.Heads * mla.ValueHeadDim)
            : (m.Heads * m.EffectiveHeadDim, m.EffectiveKvHeads * m.EffectiveHeadDim, m.EffectiveKvHeads * m.EffectiveHeadDim);

        // Not split by tensor parallelism (outside the column/row-parallel pair), unless sequence parallelism splits them.
        long replicated = checked(
            (2 * e * sb * h)                     // inputs of the two layer norms
            + (e * sb * h)                       // input of the QKV projection
            + (e * sb * h)                       // input of the first FFN linear
            + (dropout ? 2 * sb * h : 0));       // 1-byte masks of the attention and FFN output dropouts

        // Split t ways: heads and FFN columns are divided among the tensor-parallel ranks.
        long ffnPerToken = m.FeedForward == FeedForwardKind.Plain ? 2 * f : 4 * f;   // plain: act input and output; gated: gate, up, act(gate), product
        // Mixture of experts: each token runs through top-k experts; with a capacity factor C every expert's buffer is
        // padded to C·k·tokens/E (GShard, Lepikhin et al. 2021, §2.2), so C·k·s·b token rows in all.
        long rows = routed ? checked((long)Math.Ceiling(capacityFactor * m.TopK * sb)) : sb;
        if (routed)
            replicated = checked(replicated
                + (4 * sb * m.Experts)           // fp32 router probabilities (softmax in fp32, as Mixtral's router computes it)
                + (e * rows * h)                 // tokens dispatched to their experts: the experts' first-linear input
                + (e * rows * h));               // expert outputs before the weighted sum: the routing weights' gradient reads them
        if (m.Latent is { } latent)
            replicated = checked(replicated       // the low-rank path: each latent's norm input and up-projection input
                + (2 * e * sb * ((latent.QueryRank ?? 0) + latent.KvRank)));
        long sharded = checked(
            (e * sb * (qWidth + kWidth))         // Q and K, read by QKᵀ
            + (e * sb * vWidth)                  // V, read by AV
            + (e * sb * (m.Latent is null ? qWidth : vWidth))   // attention output (H·v for MLA), input of the output projection
            + (e * rows * ffnPerToken)
            // shared experts (DeepSeek, Llama 4): every token, SharedExperts·f wide, gated like the routed ones
            + (routed && m.SharedExperts > 0 ? e * sb * ffnPerToken * m.SharedExperts : 0));
        if (attention == AttentionKernel.Flash)
            sharded = checked(sharded + (4 * m.Heads * sb));   // fp32 log-sum-exp (a, s) per sequence; scores never leave the chip
        else if (keepScores)
        {
            long scores = checked(m.Heads * s * keys * b);   // this rank's queries against every key
            sharded = checked(sharded + (e * scores) + (attentionDropout ? scores + (e * scores) : 0));   // softmax output; dropout mask and output
        }
        return Split(replicated, sharded, t, sp);
    }

    /// <summary>Korthikanti §4.3: final norm input and LM-head input (2sbh each at 16 bits) and the fp32 logits, 4sbv, vocab-split t ways.</summary>
    private static long OutputBytes(TransformerSpec m, long sb, long t, bool sp, long e) =>
        checked(Split(2 * e * sb * m.DModel, 0, t, sp) + ModelStateMemory.CeilDiv(4 * sb * m.VocabSize, t));

    /// <summary>Replicated bytes stay whole unless sequence parallelism splits them too; sharded bytes are split t ways.</summary>
    private static long Split(long replicated, long sharded, long t, bool sp) =>
        sp ? ModelStateMemory.CeilDiv(checked(replicated + sharded), t) : checked(replicated + ModelStateMemory.CeilDiv(sharded, t));
}
