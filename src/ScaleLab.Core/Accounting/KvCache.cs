using System.Globalization;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting;

/// <summary>
/// One kind of layer's share of a sequence's KV cache: <paramref name="Layers"/> layers, each holding
/// <paramref name="ElementsPerToken"/> elements for each of <paramref name="CachedTokens"/> tokens.
/// </summary>
/// <param name="Kind">"global", "sliding window 4096", "chunked 8192" or "latent (MLA)".</param>
public sealed record KvCacheGroup(string Kind, int Layers, long ElementsPerToken, long CachedTokens)
{
    public long Elements => checked(Layers * ElementsPerToken * CachedTokens);
}

/// <summary>A decoder's KV cache for one sequence of <paramref name="Context"/> tokens, by kind of layer.</summary>
public sealed record KvCacheEstimate(long Context, IReadOnlyList<KvCacheGroup> Groups)
{
    public long ElementsPerSequence => Groups.Sum(g => g.Elements);

    /// <summary>True when every layer caches the same way (one global group): a per-kind breakdown would add nothing.</summary>
    public bool IsUniform => Groups is [{ Kind: "global" }] or [];

    /// <summary>A group's share of <paramref name="totalBytes"/> (a cache of any format: scaled fp8/int4 caches carry their scales).</summary>
    public long ShareOf(KvCacheGroup group, long totalBytes)
    {
        ArgumentNullException.ThrowIfNull(group);
        return ElementsPerSequence == 0 ? 0 : (long)Math.Round((double)totalBytes * group.Elements / ElementsPerSequence);
    }

    /// <summary>Elements one more token adds once the context is long: the global layers' only, when local layers are full.</summary>
    public long ElementsPerToken => Groups.Sum(g => checked(g.Layers * g.ElementsPerToken));
}

/// <summary>
/// What a decoder caches per token and layer, by the kind of attention the layer does:
/// ordinary attention K and V, 2·kv_heads·head_dim (Pope et al. 2022 §2.1; GQA shrinks kv_heads, Ainslie et al. 2023);
/// MLA the compressed latent and the shared rotary key, kv_lora_rank + qk_rope_head_dim — no separate V (DeepSeek-V2
/// §2.1.2: 576 elements per token and layer for V2/V3, against 2·128·128 = 32,768 for the same heads uncompressed);
/// a sliding-window layer at most its window of tokens, a chunked layer at most one chunk (Llama 4), a global layer
/// the whole context. This is what the model needs; engines that cannot free a sliding layer's old pages reserve the
/// full context for it (alvarobartt/hf-mem#70), which <see cref="ForFullContext"/> gives.
/// </summary>
public static class KvCache
{
    public static KvCacheEstimate For(TransformerSpec t, long context) => Estimate(t, context, boundLocal: true);

    /// <summary>Every layer holding the whole context, as an engine without per-layer windows allocates it.</summary>
    public static KvCacheEstimate ForFullContext(TransformerSpec t, long context) => Estimate(t, context, boundLocal: false);

    private static KvCacheEstimate Estimate(TransformerSpec t, long context, bool boundLocal)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentOutOfRangeException.ThrowIfLessThan(context, 1);
        if (t.Kind != TransformerKind.Decoder) return new KvCacheEstimate(context, []);
        long perToken = t.Latent is { } m
            ? checked(m.KvRank + m.RopeHeadDim)
            : checked(2L * t.EffectiveKvHeads * t.EffectiveHeadDim);
        string globalKind = t.Latent is null ? "global" : "latent (MLA)";
        int local = boundLocal && t.Local is not null ? Enumerable.Range(0, t.Layers).Count(t.IsLocalLayer) : 0;
        var groups = new List<KvCacheGroup>();
        if (t.Layers - local > 0) groups.Add(new KvCacheGroup(globalKind, t.Layers - local, perToken, context));
        if (local > 0)
        {
            var span = t.Local!;
            string kind = (span.Kind == LocalAttentionKind.Sliding ? "sliding window " : "chunked ") + span.Window.ToString(CultureInfo.InvariantCulture);
            groups.Add(new KvCacheGroup(kind, local, perToken, Math.Min(context, span.Window)));
        }
        return new KvCacheEstimate(context, groups);
    }
}
