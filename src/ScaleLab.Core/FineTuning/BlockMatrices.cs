using ScaleLab.Core.Spec;

namespace ScaleLab.Core.FineTuning;

/// <summary>
/// One linear weight of a transformer block, W (Out × In), held <see cref="Copies"/> times per layer (the experts of a
/// mixture of experts), of which <see cref="ActiveCopies"/> run per token.
/// </summary>
/// <param name="Target">The LoRA target it answers to; None for the MoE router, which adapters leave alone.</param>
public sealed record BlockMatrix(string Module, LoraTargets Target, long In, long Out, int Copies, int ActiveCopies)
{
    public long Elements => checked(In * Out);
}

/// <summary>
/// The linear weights of one block, shapes as PyTorch's nn.Linear(in, out) holds them (weight (out, in)), d = d_model,
/// a = heads, kv = key/value heads, hd = head width, f = ffn_size, E experts, k = top_k:
///   q_proj (a·hd, d), k_proj and v_proj (kv·hd, d), o_proj (d, a·hd);
///   gated FFN: gate_proj and up_proj (f, d), down_proj (d, f); plain FFN: up (f, d), down (d, f); each × E for experts;
///   router (E, d) for a mixture of experts.
/// Fused projections (GPT-2's c_attn, Phi-3's qkv_proj and gate_up_proj) are listed as the separate matrices they hold.
/// </summary>
public static class BlockMatrices
{
    public static IReadOnlyList<BlockMatrix> Of(TransformerSpec m)
    {
        ArgumentNullException.ThrowIfNull(m);
        long d = m.DModel, hd = m.EffectiveHeadDim, q = m.Heads * hd, kv = m.EffectiveKvHeads * hd, f = m.FfnSize;
        int experts = m.IsMixtureOfExperts ? m.Experts : 1, active = m.IsMixtureOfExperts ? m.TopK : 1;
        var rows = new List<BlockMatrix>
        {
            new("q", LoraTargets.Q, d, q, 1, 1),
            new("k", LoraTargets.K, d, kv, 1, 1),
            new("v", LoraTargets.V, d, kv, 1, 1),
            new("o", LoraTargets.O, q, d, 1, 1),
        };
        if (m.FeedForward != FeedForwardKind.Plain) rows.Add(new("gate", LoraTargets.Gate, d, f, experts, active));
        rows.Add(new("up", LoraTargets.Up, d, f, experts, active));
        rows.Add(new("down", LoraTargets.Down, f, d, experts, active));
        if (m.IsMixtureOfExperts) rows.Add(new("router", LoraTargets.None, d, m.Experts, 1, 1));
        return rows;
    }
}
