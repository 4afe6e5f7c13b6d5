using ScaleLab.Core.Spec;

namespace ScaleLab.Core.FineTuning;

/// <summary>
/// One linear weight of a transformer block, W (Out × In), held <see cref="Copies"/> times per layer (the experts of a
/// mixture of experts), of which <see cref="ActiveCopies"/> run per token, in <see cref="Layers"/> of the model's blocks
/// (fewer than all where layers differ: DeepSeek's dense first layers, Llama 4's interleaving).
/// </summary>
/// <param name="Target">The LoRA target it answers to; None for the MoE router, which adapters leave alone.</param>
public sealed record BlockMatrix(string Module, LoraTargets Target, long In, long Out, int Copies, int ActiveCopies, int Layers)
{
    public long Elements => checked(In * Out);
}

/// <summary>
/// The linear weights of the blocks, shapes as PyTorch's nn.Linear(in, out) holds them (weight (out, in)), d = d_model,
/// a = heads, kv = key/value heads, hd = head width, f = ffn_size, E experts, k = top_k:
///   q_proj (a·hd, d), k_proj and v_proj (kv·hd, d), o_proj (d, a·hd) — or, for multi-head latent attention, q_proj or
///   q_a_proj/q_b_proj, kv_a_proj_with_mqa, kv_b_proj and o_proj (DeepseekV3Attention);
///   gated FFN: gate_proj and up_proj (f, d), down_proj (d, f); plain FFN: up (f, d), down (d, f) — in dense layers at
///   ffn_size, in routing layers × E at the experts' width, plus the shared experts (one FFN of n_shared·f) and the
///   router (E, d).
/// Fused projections (GPT-2's c_attn, Phi-3's qkv_proj and gate_up_proj) are listed as the separate matrices they hold.
/// LoRA targets follow PEFT's module names: MLA's q_a/q_b answer to q, kv_a_proj_with_mqa and kv_b_proj to k and v
/// (they make both), which PEFT reaches with all-linear or by naming them.
/// </summary>
public static class BlockMatrices
{
    public static IReadOnlyList<BlockMatrix> Of(TransformerSpec m)
    {
        ArgumentNullException.ThrowIfNull(m);
        long d = m.DModel;
        int layers = m.Layers;
        int routing = Enumerable.Range(0, layers).Count(m.IsMoeLayer);
        int dense = layers - routing;
        var rows = new List<BlockMatrix>();
        if (m.Latent is { } mla)
        {
            long heads = m.Heads;
            if (mla.QueryRank is { } rq)
            {
                rows.Add(new("q_a", LoraTargets.Q, d, rq, 1, 1, layers));
                rows.Add(new("q_b", LoraTargets.Q, rq, heads * mla.QkHeadDim, 1, 1, layers));
            }
            else
            {
                rows.Add(new("q", LoraTargets.Q, d, heads * mla.QkHeadDim, 1, 1, layers));
            }
            rows.Add(new("kv_a", LoraTargets.K | LoraTargets.V, d, mla.KvRank + mla.RopeHeadDim, 1, 1, layers));
            rows.Add(new("kv_b", LoraTargets.K | LoraTargets.V, mla.KvRank, heads * (mla.NopeHeadDim + mla.ValueHeadDim), 1, 1, layers));
            rows.Add(new("o", LoraTargets.O, heads * mla.ValueHeadDim, d, 1, 1, layers));
        }
        else
        {
            long hd = m.EffectiveHeadDim, q = m.Heads * hd, kv = m.EffectiveKvHeads * hd;
            rows.Add(new("q", LoraTargets.Q, d, q, 1, 1, layers));
            rows.Add(new("k", LoraTargets.K, d, kv, 1, 1, layers));
            rows.Add(new("v", LoraTargets.V, d, kv, 1, 1, layers));
            rows.Add(new("o", LoraTargets.O, q, d, 1, 1, layers));
        }
        if (dense > 0) Ffn(rows, m, "", m.FfnSize, 1, 1, dense);
        if (routing > 0)
        {
            Ffn(rows, m, "experts.", m.EffectiveExpertFfnSize, m.Experts, m.TopK, routing);
            if (m.SharedExperts > 0) Ffn(rows, m, "shared_experts.", m.SharedExperts * m.EffectiveExpertFfnSize, 1, 1, routing);
            rows.Add(new("router", LoraTargets.None, d, m.Experts, 1, 1, routing));
        }
        return rows;
    }

    private static void Ffn(List<BlockMatrix> rows, TransformerSpec m, string prefix, long f, int copies, int active, int layers)
    {
        long d = m.DModel;
        if (m.FeedForward != FeedForwardKind.Plain) rows.Add(new(prefix + "gate", LoraTargets.Gate, d, f, copies, active, layers));
        rows.Add(new(prefix + "up", LoraTargets.Up, d, f, copies, active, layers));
        rows.Add(new(prefix + "down", LoraTargets.Down, f, d, copies, active, layers));
    }
}
