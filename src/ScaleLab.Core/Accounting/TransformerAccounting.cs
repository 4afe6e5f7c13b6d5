using System.Globalization;
using ScaleLab.Core.Spec;
using Act = ScaleLab.Core.Accounting.TransformerActivationElements;

namespace ScaleLab.Core.Accounting;

/// <summary>
/// Parameters, MACs and saved activations of a <see cref="TransformerSpec"/>, one row per tensor the way llm.c's
/// fill_in_parameter_sizes lists them, for one sequence of S tokens. Rows are named like the Hugging Face modules
/// ("blocks[0].attn.q_proj"); each block is a container row (its children's sums) so summaries can indent.
/// Conventions: 1 MAC = 2 FLOPs; a linear on S tokens costs S·in·out MACs (bias adds not counted); norms, activations,
/// softmax, rotary and residual adds are elementwise and cost 0 MACs (torchvision/fvcore convention, as for layer
/// stacks); attention's QKᵀ and AV are 2·H·S²·hd MACs with the full S×S matrix (<see cref="ModelCost"/> derives the
/// causal figure). Activations: <see cref="TransformerActivationElements"/> (Korthikanti et al. 2022).
/// </summary>
public static class TransformerAccounting
{
    public static ModelCost Account(ModelSpec spec, long sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var t = spec.Transformer ?? throw new ArgumentException("not a transformer spec", nameof(spec));
        if (sequenceLength < 1)
            throw new SpecException(spec.Source, "sequence length", $"{Num(sequenceLength)} tokens; it must be at least 1");
        // A learned position table has no row for position ≥ max_positions: the model cannot read a longer sequence.
        if (t.Positions == PositionKind.Learned && sequenceLength > t.MaxPositions)
            throw new SpecException(spec.Source, "sequence length",
                $"{Num(sequenceLength)} tokens, but the learned position table has max_positions {Num(t.MaxPositions)} rows; use at most {Num(t.MaxPositions)}");

        var rows = new Rows(t, sequenceLength);
        try
        {
            rows.Embeddings();
            for (int i = 0; i < t.Layers; i++) rows.Block(i);
            rows.Head();
            var cost = new ModelCost(spec with { Input = Shape.Of(sequenceLength), InputIsTokens = true }, rows.All, sequenceLength);
            _ = (cost.Parameters, cost.ForwardFlops, cost.TrainingFlops, cost.ActivationElements);   // totals must fit too
            return cost;
        }
        catch (OverflowException)
        {
            // Attention grows as S²: a long enough sequence makes a count exceed 64 bits.
            throw new SpecException(spec.Source, "sequence length",
                $"{Num(sequenceLength)} tokens make this model's counts exceed 64 bits; use a shorter sequence");
        }
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The row list under construction for one model and sequence length (s tokens, width d).</summary>
    private sealed class Rows(TransformerSpec t, long s)
    {
        private readonly long _d = t.DModel;
        private readonly List<LayerCost> _rows = [];

        public IReadOnlyList<LayerCost> All => _rows;

        public void Embeddings()
        {
            // wte (V, d): a lookup, 0 MACs. Korthikanti §4.3: the embedding output's 1-byte dropout mask is kept.
            Add("embed.tokens", "embedding", 0, Shape.Of(s, _d), checked(t.VocabSize * _d), 0, Act.Mask(checked(s * _d)));
            if (t.Positions == PositionKind.Learned)
                Add("embed.positions", "embedding", 0, Shape.Of(s, _d), checked(t.MaxPositions * _d), 0, 0);   // wpe (P, d)
            if (t.TypeVocabSize > 0)
                Add("embed.token_types", "embedding", 0, Shape.Of(s, _d), checked(t.TypeVocabSize * _d), 0, 0); // (T, d)
            if (t.EmbeddingNorm) Norm("embed.norm", 0);
        }

        public void Block(int index)
        {
            string p = $"blocks[{index.ToString(CultureInfo.InvariantCulture)}]";
            int at = _rows.Count;
            _rows.Add(null!);   // the container row is filled in once its children are counted
            var placement = t.Placement;
            // Norm names follow the sub-layer they serve: attn_norm before (Pre, Sandwich) or after (Post, PostSublayer)
            // attention; Gemma's sandwich adds attn_post_norm and mlp_post_norm on the sub-layer outputs.
            if (placement is NormPlacement.Pre or NormPlacement.Sandwich) Norm(p + ".attn_norm", 1);
            Attention(p + ".attn", index);
            if (placement is NormPlacement.Post or NormPlacement.PostSublayer) Norm(p + ".attn_norm", 1);
            if (placement == NormPlacement.Sandwich) Norm(p + ".attn_post_norm", 1);
            if (placement is NormPlacement.Pre or NormPlacement.Sandwich) Norm(p + ".mlp_norm", 1);
            if (t.IsMoeLayer(index)) MixtureOfExperts(p + ".moe");
            else FeedForward(p + ".mlp", t.FfnSize);
            if (placement is NormPlacement.Post or NormPlacement.PostSublayer) Norm(p + ".mlp_norm", 1);
            if (placement == NormPlacement.Sandwich) Norm(p + ".mlp_post_norm", 1);

            var children = _rows.Skip(at + 1).ToList();
            _rows[at] = new LayerCost(
                p, t.Kind == TransformerKind.Decoder ? "decoder_block" : "encoder_block", 0, Shape.Of(s, _d),
                children.Sum(c => c.Parameters), children.Sum(c => c.Buffers), children.Sum(c => c.ActiveParameters),
                children.Sum(c => c.ForwardMacs), children.Sum(c => c.AttentionMacs), children.Sum(c => c.ActivationElements),
                IsContainer: true)
            {
                CausalAttentionMacs = children.Sum(c => c.CausalAttentionMacs ?? 0),
            };
        }

        public void Head()
        {
            if (t.FinalNorm) Norm("final_norm", 0);
            if (t.LmHead)
            {
                // lm_head (V, d), no bias. Tied to embed.tokens it owns no parameters of its own — the matrix was counted
                // once, at the embedding — but the S·d·V matmul is still paid on every forward pass (the mistake
                // torchinfo #322/#377 describe is counting the tensor twice, not the work).
                long weights = t.TiedEmbeddings ? 0 : checked(t.VocabSize * _d);
                Add("lm_head", t.TiedEmbeddings ? "lm_head (tied)" : "lm_head", 0, Shape.Of(s, t.VocabSize),
                    weights, checked(s * _d * t.VocabSize), Act.LmHead(t, s));
            }
            if (t.Pooler)
            {
                // BERT's pooler: dense (d, d) + bias and tanh over the first token only; keeps that token and tanh's output.
                Add("pooler", "pooler", 0, Shape.Of(_d), checked((_d * _d) + _d), checked(_d * _d), checked(2 * _d));
            }
        }

        /// <summary>
        /// Q (H·hd, d), K and V (kv·hd, d) — fewer rows under GQA/MQA — and O (d, H·hd); Q/K/V biased unless bias is
        /// none, O only when bias is all (Qwen2 has q/k/v biases and an unbiased o_proj). Then the optional extras of
        /// current models: q/k norms and gpt-oss's per-head sink logits. MLA models go to <see cref="LatentAttention"/>.
        /// </summary>
        private void Attention(string p, int layer)
        {
            if (t.Latent is { } latent)
            {
                LatentAttention(p, layer, latent);
                return;
            }

            long hd = t.EffectiveHeadDim;
            long qWidth = checked(t.Heads * hd), kvWidth = checked(t.EffectiveKvHeads * hd);
            bool qkvBias = t.Bias != BiasKind.None, oBias = t.Bias == BiasKind.All;
            Linear(p + ".q_proj", 1, _d, qWidth, qkvBias, Act.QkvInput(s, _d));   // (H·hd, d)
            Linear(p + ".k_proj", 1, _d, kvWidth, qkvBias, 0);                   // (kv·hd, d); input kept once, at q_proj
            Linear(p + ".v_proj", 1, _d, kvWidth, qkvBias, 0);                   // (kv·hd, d)
            if (t.QkNorm != QkNormKind.None)
            {
                // Qwen3/Gemma 3: RMSNorm(hd) applied to each head, one weight shared by all heads; OLMo 2: RMSNorm over the
                // whole projection (H·hd for q, kv·hd for k). Either way the norm keeps its full input for backward.
                bool perHead = t.QkNorm == QkNormKind.PerHead;
                Add(p + ".q_norm", "rmsnorm", 1, Shape.Of(s, qWidth), perHead ? hd : qWidth, 0, checked(s * qWidth));
                Add(p + ".k_norm", "rmsnorm", 1, Shape.Of(s, kvWidth), perHead ? hd : kvWidth, 0, checked(s * kvWidth));
            }
            // gpt-oss: one learned logit per head joins every softmax as an extra column ("sink"), then is dropped.
            if (t.AttentionSinks) Add(p + ".sinks", "attention_sinks", 1, Shape.Of(t.Heads), t.Heads, 0, 0);
            Core(p + ".core", layer, hd, hd, Shape.Of(s, qWidth), Act.AttentionCore(t, s));
            Linear(p + ".o_proj", 1, qWidth, _d, oBias, Act.OutputProjection(t, s)); // (d, H·hd)
        }

        /// <summary>
        /// Multi-head latent attention as transformers' DeepseekV3Attention holds it: queries through q_proj (H·qk, d), or
        /// low-rank through q_a_proj (r_q, d), q_a_layernorm (r_q) and q_b_proj (H·qk, r_q); keys and values from
        /// kv_a_proj_with_mqa (r_kv + rope, d) — the latent plus one rotary key shared by all heads — kv_a_layernorm
        /// (r_kv) and kv_b_proj (H·(nope + v), r_kv); o_proj (d, H·v). attention_bias puts biases on q_a, kv_a and o
        /// only. FLOPs are those of this, the training and prefill form: kv_b_proj runs on every token and attention
        /// is H heads of width qk for QKᵀ and v for AV. Decoding engines absorb kv_b_proj into the query and output
        /// projections (DeepSeek-V2 §2.1.2) and attend over the cached latent instead; docs/transformer.md gives that form.
        /// </summary>
        private void LatentAttention(string p, int layer, LatentAttention m)
        {
            long h = t.Heads, qk = m.QkHeadDim, v = m.ValueHeadDim;
            bool bias = t.Bias == BiasKind.All;
            if (m.QueryRank is { } rq)
            {
                Linear(p + ".q_a_proj", 1, _d, rq, bias, Act.QkvInput(s, _d));                        // (r_q, d)
                Add(p + ".q_a_layernorm", "rmsnorm", 1, Shape.Of(s, rq), rq, 0, Act.Norm(s, rq));    // (r_q)
                Linear(p + ".q_b_proj", 1, rq, checked(h * qk), false, checked(s * rq));               // (H·qk, r_q)
            }
            else
            {
                Linear(p + ".q_proj", 1, _d, checked(h * qk), false, Act.QkvInput(s, _d));             // (H·qk, d)
            }
            // The latent and the shared rotary key: all that the KV cache holds, per token.
            Linear(p + ".kv_a_proj_with_mqa", 1, _d, checked(m.KvRank + m.RopeHeadDim), bias, 0);    // (r_kv + rope, d)
            Add(p + ".kv_a_layernorm", "rmsnorm", 1, Shape.Of(s, m.KvRank), m.KvRank, 0, Act.Norm(s, m.KvRank));
            Linear(p + ".kv_b_proj", 1, m.KvRank, checked(h * (m.NopeHeadDim + v)), false, checked(s * m.KvRank)); // (H·(nope+v), r_kv)
            Core(p + ".core", layer, qk, v, Shape.Of(s, checked(h * v)), Act.LatentAttentionCore(t, m, s));
            Linear(p + ".o_proj", 1, checked(h * v), _d, bias, Act.OutputProjectionInput(s, checked(h * v), _d)); // (d, H·v)
        }

        /// <summary>
        /// QKᵀ: H heads × (S, qk)·(qk, S) = H·S²·qk MACs; AV: H × (S, S)·(S, v) = H·S²·v. GQA shares K/V across query heads
        /// but every query head does its own products, so H (not kv) multiplies both. The full figure computes every
        /// score; the causal one only the (query, key) pairs the mask keeps — S(S+1)/2 for a causal layer, fewer for a
        /// local one (<see cref="AttendedPairs"/>): what FlashAttention-style kernels compute.
        /// </summary>
        private void Core(string path, int layer, long qkWidth, long vWidth, Shape output, long saved)
        {
            long perPair = checked(t.Heads * (qkWidth + vWidth));
            long full = checked(perPair * s * s);
            long needed = t.Kind == TransformerKind.Encoder ? full : checked(perPair * AttendedPairs(t, layer, s));
            string type = t.IsLocalLayer(layer)
                ? t.Local!.Kind == LocalAttentionKind.Sliding ? "sliding_window_attention" : "chunked_attention"
                : "scaled_dot_product";
            _rows.Add(new LayerCost(path, type, 1, output, 0, 0, 0, full, full, saved) { CausalAttentionMacs = needed });
        }

        /// <summary>Plain: up (f, d), act, down (d, f). Gated (SwiGLU/GeGLU, Shazeer 2020): gate and up (f, d), act(gate)·up, down.</summary>
        private void FeedForward(string p, long width)
        {
            bool bias = FfnBias();
            bool gated = t.FeedForward != FeedForwardKind.Plain;
            if (gated) Linear(p + ".gate_proj", 1, _d, width, bias, Act.FfnInput(s, _d));
            Linear(p + ".up_proj", 1, _d, width, bias, gated ? 0 : Act.FfnInput(s, _d));
            Add(p + ".act", ActivationName(), 1, Shape.Of(s, width), 0, 0, Act.FfnActivation(t, s, width, 1));
            Linear(p + ".down_proj", 1, width, _d, bias, Act.FfnDown(t, s, width, 1));
        }

        /// <summary>
        /// Mixture of experts (Mixtral, Qwen3-MoE, DeepSeek, gpt-oss, Llama 4): a router (E, d), biased in gpt-oss, then E
        /// expert FFNs of which each token uses top_k, plus the shared experts every token uses (DeepSeek, Llama 4) and
        /// DeepSeek-V3's per-expert score-correction buffer. Parameters count all E; active parameters and MACs count
        /// top_k routed plus the shared ones (Fedus et al. 2022; Jiang et al. 2024; DeepSeek-V3 §2.1.2).
        /// </summary>
        private void MixtureOfExperts(string p)
        {
            long e = t.Experts, k = t.TopK, f = t.EffectiveExpertFfnSize;
            // router (E, d); keeps its input (shared with the experts) and the routing logits (S, E).
            long router = checked((e * _d) + (t.RouterBias ? e : 0));
            Add(p + ".router", "router", 1, Shape.Of(s, e), router, checked(s * _d * e), checked(Act.FfnInput(s, _d) + (s * e)));
            if (t.RouterScoreBias)
                _rows.Add(new LayerCost(p + ".router.e_score_correction_bias", "buffer", 1, Shape.Of(e), 0, e, 0, 0, 0, 0));
            bool bias = FfnBias();
            bool gated = t.FeedForward != FeedForwardKind.Plain;
            if (gated) Experts(p + ".experts.gate_proj", _d, f, bias, 0);   // (E, f, d)
            Experts(p + ".experts.up_proj", _d, f, bias, 0);                // (E, f, d)
            Add(p + ".act", ActivationName(), 1, Shape.Of(s, f), 0, 0, Act.FfnActivation(t, s, f, k));
            Experts(p + ".experts.down_proj", f, _d, bias, Act.FfnDown(t, s, f, k));   // (E, d, f)
            // Shared experts: one FFN of SharedExperts·f (how DeepSeek stores them: a single MLP of that width).
            if (t.SharedExperts > 0) FeedForward(p + ".shared_experts", checked(t.SharedExperts * f));

            void Experts(string path, long inWidth, long outWidth, bool withBias, long saved)
            {
                long one = checked((inWidth * outWidth) + (withBias ? outWidth : 0));
                _rows.Add(new LayerCost(path, $"linear x{e.ToString(CultureInfo.InvariantCulture)}", 1, Shape.Of(s, outWidth),
                    checked(e * one), 0, checked(k * one), checked(k * s * inWidth * outWidth), 0, saved));
            }
        }

        private bool FfnBias() => t.FfnBias ?? (t.Bias == BiasKind.All);

        private string ActivationName() => t.FeedForward switch
        {
            FeedForwardKind.SwiGlu => "swiglu",
            FeedForwardKind.GeGlu => "geglu",
            _ => new ActivationLayer(t.Activation).Type,
        };

        /// <summary>LayerNorm: weight (d) and, with norm_bias, bias (d). RMSNorm: weight (d) only.</summary>
        private void Norm(string path, int depth)
        {
            long parameters = t.Norm == NormKind.LayerNorm && t.NormBias ? checked(2 * _d) : _d;
            Add(path, t.Norm == NormKind.RmsNorm ? "rmsnorm" : "layernorm", depth, Shape.Of(s, _d), parameters, 0, Act.Norm(s, _d));
        }

        /// <summary>weight (out, in) + bias (out); S·in·out MACs.</summary>
        private void Linear(string path, int depth, long inWidth, long outWidth, bool bias, long saved) =>
            Add(path, "linear", depth, Shape.Of(s, outWidth), checked((inWidth * outWidth) + (bias ? outWidth : 0)), checked(s * inWidth * outWidth), saved);

        private void Add(string path, string type, int depth, Shape output, long parameters, long macs, long saved) =>
            _rows.Add(new LayerCost(path, type, depth, output, parameters, 0, parameters, macs, 0, saved));
    }

    /// <summary>
    /// (query, key) pairs one sequence of S tokens attends in block <paramref name="layer"/> under the causal mask: every
    /// earlier position for a global layer, S(S+1)/2; at most W for a sliding-window layer (W(W+1)/2 + (S−W)·W once
    /// S &gt; W); only the own chunk's earlier positions for a chunked layer (each full chunk C(C+1)/2).
    /// </summary>
    public static long AttendedPairs(TransformerSpec t, int layer, long s)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (!t.IsLocalLayer(layer)) return Triangle(s);
        long w = t.Local!.Window;
        if (t.Local.Kind == LocalAttentionKind.Chunked)
            return checked(((s / w) * Triangle(w)) + Triangle(s % w));
        return s <= w ? Triangle(s) : checked(Triangle(w) + ((s - w) * w));
    }

    private static long Triangle(long n) => checked(n * (n + 1) / 2);

    /// <summary>
    /// The multi-token-prediction modules of DeepSeek-V3 (num_nextn_predict_layers), as its checkpoint stores each one
    /// (model.layers.61.*): enorm and hnorm (d each), eh_proj (d, 2d), one full MoE decoder block, shared_head.norm (d),
    /// and its own copies of embed_tokens and shared_head.head (V, d each). Reported apart from the main model.
    /// </summary>
    public static long PredictionLayerParameters(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var t = spec.Transformer;
        if (t is null || t.PredictionLayers == 0) return 0;
        // One main-model block of the routed kind, counted by the same rows (layer index past the dense prefix).
        var oneBlock = Account(spec with { Transformer = t with { Layers = 1, DenseLayers = null, PredictionLayers = 0 } }, 1);
        long block = oneBlock.Layers.Where(r => !r.IsContainer && r.Path.StartsWith("blocks[", StringComparison.Ordinal)).Sum(r => r.Parameters);
        long d = t.DModel;
        long perModule = checked((3 * d) + (2 * d * d) + block + (2 * t.VocabSize * d));
        return checked(t.PredictionLayers * perModule);
    }
}
