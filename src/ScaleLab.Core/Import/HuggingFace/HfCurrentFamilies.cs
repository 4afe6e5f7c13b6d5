using System.Globalization;
using ScaleLab.Core.Spec;
using Checks = ScaleLab.Core.Import.HuggingFace.HfConfigMapper.Checks;

namespace ScaleLab.Core.Import.HuggingFace;

/// <summary>
/// What the 2024–2025 families add to a rotary decoder, read as each transformers class reads its config
/// (modeling_&lt;type&gt;.py; the rules are quoted in docs/transformer.md): q/k norms (Qwen3, Gemma 3, OLMo 2), norm
/// placement (Gemma 2/3 sandwich, OLMo 2 post-sublayer), multi-head latent attention and shared experts (DeepSeek),
/// sparse-layer patterns (DeepSeek, Qwen3-MoE, Llama 4), sinks and biased routers (gpt-oss), and which layers attend
/// locally (sliding windows, Llama 4's chunks). Older families pass through with only their sliding window read.
/// </summary>
internal static class HfCurrentFamilies
{
    public static TransformerSpec Adjust(HfConfigDto c, TransformerSpec t, Checks check) => c.ModelType switch
    {
        "qwen3" => t with { QkNorm = QkNormKind.PerHead, Local = Sliding(c, t, check) },
        "qwen3_moe" => QwenMoe(c, t, check) with { QkNorm = QkNormKind.PerHead, Local = Sliding(c, t, check) },
        "deepseek_v2" or "deepseek_v3" => DeepSeek(c, t, check),
        "gemma2" => t with { Placement = NormPlacement.Sandwich, Local = Sliding(c, t, check) },
        "gemma3_text" => t with { Placement = NormPlacement.Sandwich, QkNorm = QkNormKind.PerHead, Local = Sliding(c, t, check) },
        "olmo2" => t with { Placement = NormPlacement.PostSublayer, QkNorm = QkNormKind.Full, Local = Sliding(c, t, check) },
        "gpt_oss" => t with { AttentionSinks = true, RouterBias = true, FfnBias = true, Local = Sliding(c, t, check) },
        "llama4_text" => Llama4(c, t, check),
        _ => t with { Local = Sliding(c, t, check) },
    };

    /// <summary>
    /// Qwen3MoeDecoderLayer: layer i routes when i ∉ mlp_only_layers and (i + 1) % decoder_sparse_step == 0; routed
    /// experts are moe_intermediate_size wide, dense layers intermediate_size; no shared expert.
    /// </summary>
    private static TransformerSpec QwenMoe(HfConfigDto c, TransformerSpec t, Checks check)
    {
        int experts = check.Count("num_experts", c.NumExperts ?? 128, "routed experts per layer");
        int topK = TopK(c, experts, "num_experts", check);
        long step = check.Positive("decoder_sparse_step", c.DecoderSparseStep ?? 1, "every how many layers one routes");
        var mlpOnly = Indices("mlp_only_layers", c.MlpOnlyLayers, t.Layers, check);
        var dense = LayerSet.Where(t.Layers, i => mlpOnly.Contains(i) || (i + 1) % step != 0);
        return t with
        {
            Experts = experts,
            TopK = topK,
            ExpertFfnSize = check.Positive("moe_intermediate_size", c.MoeIntermediateSize, "one routed expert's FFN width"),
            DenseLayers = dense.Count == 0 ? null : dense,
        };
    }

    /// <summary>
    /// DeepseekV2/V3: multi-head latent attention for every layer; layer i routes when n_routed_experts is set,
    /// i ≥ first_k_dense_replace and i % moe_layer_freq == 0; n_shared_experts always-on experts of
    /// moe_intermediate_size each; V3's noaux_tc routing keeps e_score_correction_bias (a buffer). The
    /// num_nextn_predict_layers MTP modules are recorded, not counted into the main model.
    /// </summary>
    private static TransformerSpec DeepSeek(HfConfigDto c, TransformerSpec t, Checks check)
    {
        var latent = new LatentAttention(
            c.QLoraRank is null ? null : check.Positive("q_lora_rank", c.QLoraRank, "the query latent width"),
            check.Positive("kv_lora_rank", c.KvLoraRank, "the key/value latent width"),
            check.Positive("qk_nope_head_dim", c.QkNopeHeadDim, "the position-free part of a query/key head"),
            check.Positive("qk_rope_head_dim", c.QkRopeHeadDim, "the rotary part of a query/key head"),
            check.Positive("v_head_dim", c.VHeadDim, "a value head's width"));
        var mla = t with { Latent = latent, KvHeads = null, HeadDim = null, PredictionLayers = (int)check.NonNegative("num_nextn_predict_layers", c.NumNextnPredictLayers ?? 0, "MTP modules") };
        if (c.NRoutedExperts is null) return mla;
        int experts = check.Count("n_routed_experts", c.NRoutedExperts, "routed experts per layer");
        long firstDense = check.NonNegative("first_k_dense_replace", c.FirstKDenseReplace ?? 0, "leading dense layers");
        long every = check.Positive("moe_layer_freq", c.MoeLayerFreq ?? 1, "every how many layers one routes");
        var dense = LayerSet.Where(t.Layers, i => i < firstDense || i % every != 0);
        if (dense.Count == t.Layers)
            throw check.Fail("first_k_dense_replace", $"{Num(firstDense)} makes every one of the {Num(t.Layers)} layers dense; no layer would route to the experts");
        return mla with
        {
            Experts = experts,
            TopK = TopK(c, experts, "n_routed_experts", check),
            ExpertFfnSize = check.Positive("moe_intermediate_size", c.MoeIntermediateSize, "one routed expert's FFN width"),
            SharedExperts = (int)check.NonNegative("n_shared_experts", c.NSharedExperts ?? 0, "always-on experts"),
            RouterScoreBias = c.TopkMethod == "noaux_tc",
            DenseLayers = dense.Count == 0 ? null : dense,
        };
    }

    /// <summary>
    /// Llama4TextMoe: num_local_experts routed experts of intermediate_size, one shared expert of the same width, in the
    /// layers of moe_layers (default every interleave_moe_layer_step-th); dense layers are intermediate_size_mlp wide.
    /// Layers that use RoPE (no_rope_layers[i] = 1) attend within attention_chunk_size chunks; the NoPE layers globally.
    /// </summary>
    private static TransformerSpec Llama4(HfConfigDto c, TransformerSpec t, Checks check)
    {
        long step = check.Positive("interleave_moe_layer_step", c.InterleaveMoeLayerStep ?? 1, "every how many layers one routes");
        var moe = c.MoeLayers is { } listed
            ? Indices("moe_layers", listed, t.Layers, check)
            : LayerSet.Where(t.Layers, i => (i + 1) % step == 0);
        var dense = LayerSet.Where(t.Layers, i => !moe.Contains(i));
        long denseWidth = dense.Count == 0 ? t.FfnSize : check.Positive("intermediate_size_mlp", c.IntermediateSizeMlp, "the dense layers' FFN width");
        return t with
        {
            FfnSize = denseWidth,
            ExpertFfnSize = denseWidth == t.FfnSize ? null : t.FfnSize,
            SharedExperts = 1,
            DenseLayers = dense.Count == 0 ? null : dense,
            Local = Chunked(c, t, check),
        };
    }

    private static LocalAttention? Chunked(HfConfigDto c, TransformerSpec t, Checks check)
    {
        if (c.LayerTypes is not null) return Sliding(c, t, check);
        if (c.AttentionChunkSize is null) return null;
        long chunk = check.Positive("attention_chunk_size", c.AttentionChunkSize, "tokens per attention chunk");
        // Default no_rope_layers: every fourth layer is NoPE (Llama4TextConfig, no_rope_layer_interval 4).
        var flags = c.NoRopeLayers ?? [.. Enumerable.Range(0, t.Layers).Select(i => (i + 1) % 4 != 0 ? 1L : 0L)];
        if (flags.Count != t.Layers)
            throw check.Fail("no_rope_layers", $"has {Num(flags.Count)} entries for {Num(t.Layers)} layers; it needs one 0/1 flag per layer");
        var chunked = LayerSet.Where(t.Layers, i => flags[i] != 0);
        return chunked.Count == 0 ? null : new LocalAttention(LocalAttentionKind.Chunked, chunk, chunked);
    }

    /// <summary>
    /// Which layers slide, as each class decides: layer_types when the config lists it (its "sliding_attention" and
    /// "chunked_attention" entries); otherwise Gemma 2 every even layer, Gemma 3 all but every sliding_window_pattern-th
    /// (default 6), gpt-oss every even layer, Qwen2/Qwen3 the layers from max_window_layers on when use_sliding_window,
    /// Mistral/Mixtral/Phi-3 every layer when sliding_window is set. No window, no local layers.
    /// </summary>
    private static LocalAttention? Sliding(HfConfigDto c, TransformerSpec t, Checks check)
    {
        if (c.LayerTypes is { } types) return FromLayerTypes(c, types, t.Layers, check);
        if (c.SlidingWindow is null) return null;
        bool qwen = c.ModelType is "qwen2" or "qwen3" or "qwen3_moe";
        if (qwen && c.UseSlidingWindow != true) return null;   // the window is recorded but switched off
        long window = check.Positive("sliding_window", c.SlidingWindow, "tokens a sliding-window layer sees");
        long pattern = check.Positive("sliding_window_pattern", c.SlidingWindowPattern ?? 6, "one global layer in every this many");
        long firstWindowed = qwen ? check.NonNegative("max_window_layers", c.MaxWindowLayers ?? 0, "layers before the sliding ones") : 0;
        var layers = c.ModelType switch
        {
            "gemma2" or "gpt_oss" => LayerSet.Where(t.Layers, i => i % 2 == 0),
            "gemma3_text" => LayerSet.Where(t.Layers, i => (i + 1) % pattern != 0),
            _ => LayerSet.Where(t.Layers, i => i >= firstWindowed),
        };
        return layers.Count == 0 ? null : new LocalAttention(LocalAttentionKind.Sliding, window, layers);
    }

    private static LocalAttention? FromLayerTypes(HfConfigDto c, IReadOnlyList<string> types, int layers, Checks check)
    {
        if (types.Count != layers)
            throw check.Fail("layer_types", $"has {Num(types.Count)} entries for {Num(layers)} layers; it needs one per layer");
        var unknown = types.FirstOrDefault(x => x is not ("full_attention" or "sliding_attention" or "chunked_attention"));
        if (unknown is not null)
            throw check.Fail("layer_types", $"holds \"{unknown}\"; supported layer types: full_attention, sliding_attention, chunked_attention");
        bool sliding = types.Contains("sliding_attention"), chunked = types.Contains("chunked_attention");
        if (sliding && chunked) throw check.Fail("layer_types", "mixes sliding_attention and chunked_attention layers; one kind of local layer per model is supported");
        if (!sliding && !chunked) return null;
        var which = LayerSet.Where(layers, i => types[i] != "full_attention");
        return sliding
            ? new LocalAttention(LocalAttentionKind.Sliding, check.Positive("sliding_window", c.SlidingWindow, "tokens a sliding_attention layer sees"), which)
            : new LocalAttention(LocalAttentionKind.Chunked, check.Positive("attention_chunk_size", c.AttentionChunkSize, "tokens per attention chunk"), which);
    }

    private static int TopK(HfConfigDto c, int experts, string expertsField, Checks check)
    {
        int topK = check.Count("num_experts_per_tok", c.NumExpertsPerTok, "experts used per token");
        if (topK > experts)
            throw check.Fail("num_experts_per_tok", $"{Num(topK)} is more than {expertsField} {Num(experts)}; it must be from 1 to {Num(experts)}");
        return topK;
    }

    private static LayerSet Indices(string field, IReadOnlyList<long>? values, int layers, Checks check)
    {
        if (values is null) return LayerSet.Of([]);
        foreach (long v in values)
        {
            if (v < 0 || v >= layers)
                throw check.Fail(field, $"holds {Num(v)}; layer indices run from 0 to {Num(layers - 1)}");
        }
        return LayerSet.Of(values.Select(v => (int)v));
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
