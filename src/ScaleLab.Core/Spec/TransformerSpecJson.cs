using System.Globalization;
using System.Text.Json;

namespace ScaleLab.Core.Spec;

/// <summary>
/// Reads the "transformer" object of a spec file (SPEC_FORMAT.md) into a validated <see cref="TransformerSpec"/>.
/// The object is untrusted: every field is read through <see cref="SpecJsonObject"/>, then the fields are checked
/// against each other (heads divide d_model, kv_heads divide heads, top_k ≤ experts), so a spec that loads can be
/// counted and built. Sizes have named upper limits so that a hostile file cannot make the accounting overflow.
/// </summary>
public static class TransformerSpecJson
{
    /// <summary>Widths (d_model, ffn_size, head_dim): the largest published models are below 2^16; 2^24 leaves room.</summary>
    public const long MaxWidth = 1L << 24;

    /// <summary>Vocabulary rows: real tokenizers stop near 2^18 (Gemma 256,000); 2^30 leaves room.</summary>
    public const long MaxVocab = 1L << 30;

    public const int MaxLayers = 100_000;
    public const int MaxHeads = 1 << 16;
    public const int MaxExperts = 1 << 16;
    public const long MaxPositionsLimit = 1L << 30;

    /// <summary>Rotary base θ: 10,000 (Llama 2) to 1,000,000 (Mixtral, Qwen2) in practice.</summary>
    public const double MaxRopeTheta = 1e12;

    private const string Location = "transformer";

    public static TransformerSpec Parse(JsonElement element, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var o = new SpecJsonObject(element, source, Location);
        var kind = Kind(o);
        long vocab = Bounded(o, "vocab_size", "the number of token ids, e.g. 50257", MaxVocab);
        long dModel = Bounded(o, "d_model", "the residual stream width, e.g. 768", MaxWidth);
        int layers = (int)Bounded(o, "layers", "the number of transformer blocks, e.g. 12", MaxLayers);
        int heads = (int)Bounded(o, "heads", "the number of attention (query) heads, e.g. 12", MaxHeads);
        int? kvHeads = o.Has("kv_heads") ? o.OptionalInt("kv_heads", heads, 1, MaxHeads) : null;
        long? headDim = o.Has("head_dim") ? o.OptionalLong("head_dim", 0, 1, MaxWidth) : null;
        long ffnSize = Bounded(o, "ffn_size", "the feed-forward hidden width, e.g. 3072", MaxWidth);
        var ffn = FeedForward(o);
        var activation = Activation(o, ffn);
        var norm = Norm(o);
        bool normBias = o.OptionalBool("norm_bias", norm == NormKind.LayerNorm);
        double normEps = o.OptionalDouble("norm_eps", 1e-5, 0, 1, maxExclusive: true);
        var positions = Positions(o);
        long maxPositions = positions == PositionKind.Learned && !o.Has("max_positions")
            ? throw o.Fail("missing field 'max_positions' (rows of the learned position table, e.g. 1024); learned positions need it")
            : o.OptionalLong("max_positions", 2048, 1, MaxPositionsLimit);
        double ropeTheta = o.OptionalDouble("rope_theta", 10000, 1, MaxRopeTheta);
        bool tied = o.OptionalBool("tied_embeddings", false);
        var bias = Bias(o);
        bool? ffnBias = o.Has("ffn_bias") ? o.OptionalBool("ffn_bias", false) : null;
        _ = (o.Raw("kv_heads"), o.Raw("head_dim"), o.Raw("ffn_bias"));   // known even when absent, for the unknown-field message
        int experts = o.OptionalInt("experts", 0, 0, MaxExperts);
        int topK = o.OptionalInt("top_k", 1, 1, MaxExperts);
        long typeVocab = o.OptionalLong("type_vocab_size", 0, 0, MaxVocab);
        bool pooler = o.OptionalBool("pooler", false);
        bool embeddingNorm = o.OptionalBool("embedding_norm", false);
        bool finalNorm = o.OptionalBool("final_norm", true);
        var placement = Placement(o);
        // The BERT base model has no LM head; every decoder we describe does.
        bool lmHead = o.OptionalBool("lm_head", kind == TransformerKind.Decoder);
        var qkNorm = QkNorm(o);
        var latent = Latent(o);
        bool sinks = o.OptionalBool("attention_sinks", false);
        var local = Local(o, layers);
        long? expertFfn = o.Has("expert_ffn_size") ? o.OptionalLong("expert_ffn_size", 0, 1, MaxWidth) : null;
        int sharedExperts = o.OptionalInt("shared_experts", 0, 0, MaxExperts);
        bool routerBias = o.OptionalBool("router_bias", false);
        bool routerScoreBias = o.OptionalBool("router_score_bias", false);
        var denseLayers = Layers(o, "dense_layers", layers);
        int predictionLayers = o.OptionalInt("prediction_layers", 0, 0, MaxLayers);
        _ = o.Raw("expert_ffn_size");
        double? dropout = o.Has("dropout") ? o.OptionalDouble("dropout", 0, 0, 1, maxExclusive: true) : null;
        double? attentionDropout = o.Has("attention_dropout") ? o.OptionalDouble("attention_dropout", 0, 0, 1, maxExclusive: true) : null;
        _ = (o.Raw("dropout"), o.Raw("attention_dropout"));
        o.RejectUnknownFields();

        CheckHeads(o, dModel, heads, kvHeads, headDim);
        CheckExperts(o, experts, topK);
        CheckExpertDetails(o, experts, expertFfn, sharedExperts, routerBias, routerScoreBias, denseLayers);
        CheckLatent(o, latent, kvHeads, headDim, qkNorm);
        if (tied && !lmHead)
            throw o.Fail("tied_embeddings is true but lm_head is false; only an LM head can share the token-embedding matrix");
        if (norm == NormKind.RmsNorm && normBias && o.Has("norm_bias"))
            throw o.Fail("norm_bias is true but norm is rmsnorm; RMSNorm has a weight vector only (use layernorm for a bias)");

        return new TransformerSpec
        {
            Kind = kind,
            VocabSize = vocab,
            DModel = dModel,
            Layers = layers,
            Heads = heads,
            KvHeads = kvHeads,
            HeadDim = headDim,
            FfnSize = ffnSize,
            FeedForward = ffn,
            Activation = activation,
            Norm = norm,
            NormBias = norm == NormKind.LayerNorm && normBias,
            NormEpsilon = normEps,
            Positions = positions,
            MaxPositions = maxPositions,
            RopeTheta = ropeTheta,
            TiedEmbeddings = tied,
            Bias = bias,
            FfnBias = ffnBias,
            Experts = experts,
            TopK = topK,
            TypeVocabSize = typeVocab,
            Pooler = pooler,
            EmbeddingNorm = embeddingNorm,
            FinalNorm = finalNorm,
            Placement = placement,
            LmHead = lmHead,
            QkNorm = qkNorm,
            Latent = latent,
            AttentionSinks = sinks,
            Local = local,
            ExpertFfnSize = expertFfn,
            SharedExperts = sharedExperts,
            RouterBias = routerBias,
            RouterScoreBias = routerScoreBias,
            DenseLayers = denseLayers,
            PredictionLayers = predictionLayers,
            Dropout = dropout,
            AttentionDropout = attentionDropout,
        };
    }

    /// <summary>The inverse of <see cref="Parse"/>: every field explicit, so Parse(Write(t)) == t.</summary>
    public static void Write(Utf8JsonWriter writer, TransformerSpec spec) => TransformerSpecJsonWriter.Write(writer, spec);

    private static long Bounded(SpecJsonObject o, string field, string what, long max)
    {
        if (!o.Has(field)) throw o.Fail($"missing field '{field}' ({what})");
        return o.OptionalLong(field, 1, 1, max);
    }

    /// <summary>
    /// Heads split d_model evenly unless head_dim says otherwise (Gemma-7B: 16 heads × 256 = 4096 ≠ 3072);
    /// query heads share key/value heads in equal groups (GQA, Ainslie et al. 2023), so kv_heads divides heads.
    /// </summary>
    private static void CheckHeads(SpecJsonObject o, long dModel, int heads, int? kvHeads, long? headDim)
    {
        string h = Num(heads), d = Num(dModel);
        if (headDim is null && dModel % heads != 0)
            throw o.Fail($"heads is {h}, which does not divide d_model {d}; choose heads dividing d_model, or give head_dim explicitly");
        if (kvHeads is { } kv && (kv > heads || heads % kv != 0))
            throw o.Fail($"kv_heads is {Num(kv)}, which does not divide heads {h}; kv_heads must divide heads (e.g. 1, or {h})");
    }

    private static void CheckExperts(SpecJsonObject o, int experts, int topK)
    {
        if (experts <= 1 && topK != 1)
            throw o.Fail($"top_k is {Num(topK)} but experts is {Num(experts)}; top_k only applies to a mixture of experts (experts ≥ 2)");
        if (experts > 1 && topK > experts)
            throw o.Fail($"top_k is {Num(topK)}, more than experts {Num(experts)}; top_k must be from 1 to {Num(experts)}");
    }

    /// <summary>The expert-only fields need experts ≥ 2; a dense-layer list that covers every layer leaves no mixture at all.</summary>
    private static void CheckExpertDetails(SpecJsonObject o, int experts, long? expertFfn, int shared, bool routerBias, bool scoreBias, LayerSet? dense)
    {
        if (experts > 1) return;
        string? field = expertFfn is not null ? "expert_ffn_size"
            : shared > 0 ? "shared_experts"
            : routerBias ? "router_bias"
            : scoreBias ? "router_score_bias"
            : dense is not null ? "dense_layers"
            : null;
        if (field is not null)
            throw o.Fail($"{field} is set but experts is {Num(experts)}; it only applies to a mixture of experts (experts ≥ 2)");
    }

    /// <summary>MLA has no kv_heads or head_dim of its own (its widths are in latent_attention) and no q/k norm.</summary>
    private static void CheckLatent(SpecJsonObject o, LatentAttention? latent, int? kvHeads, long? headDim, QkNormKind qkNorm)
    {
        if (latent is null) return;
        if (kvHeads is not null) throw o.Fail("kv_heads is set with latent_attention; MLA keys and values come from the latent, drop kv_heads");
        if (headDim is not null) throw o.Fail("head_dim is set with latent_attention; give qk_nope_head_dim, qk_rope_head_dim and v_head_dim there instead");
        if (qkNorm != QkNormKind.None) throw o.Fail("qk_norm is set with latent_attention; MLA normalises its latents (kv_a_layernorm), not q and k");
    }

    private static NormPlacement Placement(SpecJsonObject o)
    {
        // post_norm: true is how spec files written before norm_placement said "post".
        bool legacyPost = o.OptionalBool("post_norm", false);
        var placement = o.OptionalString("norm_placement") switch
        {
            null => legacyPost ? NormPlacement.Post : NormPlacement.Pre,
            "pre" => NormPlacement.Pre,
            "post" => NormPlacement.Post,
            "sandwich" => NormPlacement.Sandwich,
            "post_sublayer" => NormPlacement.PostSublayer,
            var other => throw o.Fail($"norm_placement is \"{other}\"; it must be pre, post, sandwich or post_sublayer"),
        };
        if (legacyPost && placement != NormPlacement.Post)
            throw o.Fail("post_norm is true but norm_placement is not \"post\"; give one of them");
        return placement;
    }

    private static QkNormKind QkNorm(SpecJsonObject o) => o.OptionalString("qk_norm") switch
    {
        null or "none" => QkNormKind.None,
        "per_head" => QkNormKind.PerHead,
        "full" => QkNormKind.Full,
        var other => throw o.Fail($"qk_norm is \"{other}\"; it must be none, per_head (Qwen3, Gemma 3) or full (OLMo 2)"),
    };

    /// <summary>latent_attention: {"q_lora_rank": 1536 or null, "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128}.</summary>
    private static LatentAttention? Latent(SpecJsonObject o)
    {
        if (o.Raw("latent_attention") is not { } element) return null;
        var m = new SpecJsonObject(element, o.Source, Location + ".latent_attention");
        long? queryRank = m.Has("q_lora_rank") ? m.OptionalLong("q_lora_rank", 0, 1, MaxWidth) : null;
        _ = m.Raw("q_lora_rank");
        var latent = new LatentAttention(
            queryRank,
            Bounded(m, "kv_lora_rank", "the width of the compressed key/value latent, e.g. 512", MaxWidth),
            Bounded(m, "qk_nope_head_dim", "the position-free part of a query/key head, e.g. 128", MaxWidth),
            Bounded(m, "qk_rope_head_dim", "the rotary part of a query/key head, e.g. 64", MaxWidth),
            Bounded(m, "v_head_dim", "the width of a value head, e.g. 128", MaxWidth));
        m.RejectUnknownFields();
        return latent;
    }

    /// <summary>local_attention: {"kind": "sliding" or "chunked", "window": 4096, "layers": [0, 2, …]} — every layer when "layers" is absent.</summary>
    private static LocalAttention? Local(SpecJsonObject o, int layers)
    {
        if (o.Raw("local_attention") is not { } element) return null;
        var m = new SpecJsonObject(element, o.Source, Location + ".local_attention");
        var kind = m.OptionalString("kind") switch
        {
            null or "sliding" => LocalAttentionKind.Sliding,
            "chunked" => LocalAttentionKind.Chunked,
            var other => throw m.Fail($"kind is \"{other}\"; it must be sliding or chunked"),
        };
        long window = Bounded(m, "window", "the tokens a query sees, e.g. 4096", MaxPositionsLimit);
        var which = Layers(m, "layers", layers) ?? LayerSet.Where(layers, _ => true);
        m.RejectUnknownFields();
        return new LocalAttention(kind, window, which);
    }

    /// <summary>A list of distinct block indices, each from 0 to layers − 1.</summary>
    private static LayerSet? Layers(SpecJsonObject o, string field, int layers)
    {
        if (o.Raw(field) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() > layers)
            throw o.Fail($"{field} is {SpecJsonObject.Describe(v)}; it must be a list of at most {Num(layers)} block indices from 0 to {Num(layers - 1)}");
        var seen = new HashSet<int>();
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int i) || i < 0 || i >= layers)
                throw o.Fail($"{field} holds {SpecJsonObject.Describe(e)}; block indices run from 0 to {Num(layers - 1)}");
            if (!seen.Add(i)) throw o.Fail($"{field} lists block {Num(i)} twice");
        }
        return LayerSet.Of(seen);
    }

    private static TransformerKind Kind(SpecJsonObject o) => o.OptionalString("kind") switch
    {
        null or "decoder" => TransformerKind.Decoder,
        "encoder" => TransformerKind.Encoder,
        var other => throw o.Fail($"kind is \"{other}\"; it must be decoder or encoder"),
    };

    private static FeedForwardKind FeedForward(SpecJsonObject o) => o.OptionalString("ffn") switch
    {
        null or "plain" => FeedForwardKind.Plain,
        "swiglu" => FeedForwardKind.SwiGlu,
        "geglu" => FeedForwardKind.GeGlu,
        var other => throw o.Fail($"ffn is \"{other}\"; it must be plain, swiglu or geglu"),
    };

    /// <summary>A gated FFN names its activation (SwiGLU = SiLU gate, GeGLU = GELU gate; Shazeer 2020); a contradiction is an error.</summary>
    private static ActivationKind Activation(SpecJsonObject o, FeedForwardKind ffn)
    {
        var implied = ffn switch
        {
            FeedForwardKind.SwiGlu => ActivationKind.Silu,
            _ => ActivationKind.Gelu,
        };
        string? text = o.OptionalString("activation");
        if (text is null) return implied;
        ActivationKind kind = text switch
        {
            "relu" => ActivationKind.Relu,
            "gelu" => ActivationKind.Gelu,
            "silu" => ActivationKind.Silu,
            "tanh" => ActivationKind.Tanh,
            "sigmoid" => ActivationKind.Sigmoid,
            _ => throw o.Fail($"activation is \"{text}\"; it must be relu, gelu, silu, tanh or sigmoid"),
        };
        if (ffn != FeedForwardKind.Plain && kind != implied)
        {
            string ffnName = ffn == FeedForwardKind.SwiGlu ? "swiglu" : "geglu";
            string impliedName = new ActivationLayer(implied).Type;
            string suggestion = kind switch
            {
                ActivationKind.Gelu => "use ffn \"geglu\"",
                ActivationKind.Silu => "use ffn \"swiglu\"",
                _ => "use ffn \"plain\" for another activation",
            };
            throw o.Fail($"activation is \"{text}\" but ffn {ffnName} gates with {impliedName}; {suggestion} or drop 'activation'");
        }
        return kind;
    }

    private static NormKind Norm(SpecJsonObject o) => o.OptionalString("norm") switch
    {
        null or "layernorm" => NormKind.LayerNorm,
        "rmsnorm" => NormKind.RmsNorm,
        var other => throw o.Fail($"norm is \"{other}\"; it must be layernorm or rmsnorm"),
    };

    private static PositionKind Positions(SpecJsonObject o) => o.OptionalString("positions") switch
    {
        null or "learned" => PositionKind.Learned,
        "rotary" => PositionKind.Rotary,
        "none" => PositionKind.None,
        var other => throw o.Fail($"positions is \"{other}\"; it must be learned, rotary or none"),
    };

    private static BiasKind Bias(SpecJsonObject o) => o.OptionalString("bias") switch
    {
        null or "all" => BiasKind.All,
        "qkv" => BiasKind.QkvOnly,
        "none" => BiasKind.None,
        var other => throw o.Fail($"bias is \"{other}\"; it must be none, qkv or all"),
    };

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
