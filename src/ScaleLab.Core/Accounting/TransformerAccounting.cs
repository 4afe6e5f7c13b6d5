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
            if (!t.PostNorm) Norm(p + ".attn_norm", 1);
            Attention(p + ".attn");
            if (t.PostNorm) Norm(p + ".attn_norm", 1);
            if (!t.PostNorm) Norm(p + ".mlp_norm", 1);
            if (t.IsMixtureOfExperts) MixtureOfExperts(p + ".moe");
            else FeedForward(p + ".mlp");
            if (t.PostNorm) Norm(p + ".mlp_norm", 1);

            var children = _rows.Skip(at + 1).ToList();
            _rows[at] = new LayerCost(
                p, t.Kind == TransformerKind.Decoder ? "decoder_block" : "encoder_block", 0, Shape.Of(s, _d),
                children.Sum(c => c.Parameters), 0, children.Sum(c => c.ActiveParameters),
                children.Sum(c => c.ForwardMacs), children.Sum(c => c.AttentionMacs), children.Sum(c => c.ActivationElements),
                IsContainer: true);
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
        /// none, O only when bias is all (Qwen2 has q/k/v biases and an unbiased o_proj).
        /// </summary>
        private void Attention(string p)
        {
            long hd = t.EffectiveHeadDim;
            long qWidth = checked(t.Heads * hd), kvWidth = checked(t.EffectiveKvHeads * hd);
            bool qkvBias = t.Bias != BiasKind.None, oBias = t.Bias == BiasKind.All;
            Linear(p + ".q_proj", 1, _d, qWidth, qkvBias, Act.QkvInput(s, _d));   // (H·hd, d)
            Linear(p + ".k_proj", 1, _d, kvWidth, qkvBias, 0);                   // (kv·hd, d); input kept once, at q_proj
            Linear(p + ".v_proj", 1, _d, kvWidth, qkvBias, 0);                   // (kv·hd, d)
            // QKᵀ: H heads × (S, hd)·(hd, S) = H·S²·hd MACs; AV: H × (S, S)·(S, hd) = H·S²·hd. GQA shares K/V across
            // query heads but every query head still does its own products, so H (not kv) multiplies both.
            long attention = checked(2 * t.Heads * s * s * hd);
            _rows.Add(new LayerCost(p + ".core", "scaled_dot_product", 1, Shape.Of(s, qWidth), 0, 0, 0, attention, attention, Act.AttentionCore(t, s)));
            Linear(p + ".o_proj", 1, qWidth, _d, oBias, Act.OutputProjection(t, s)); // (d, H·hd)
        }

        /// <summary>Plain: up (f, d), act, down (d, f). Gated (SwiGLU/GeGLU, Shazeer 2020): gate and up (f, d), act(gate)·up, down.</summary>
        private void FeedForward(string p)
        {
            bool bias = FfnBias();
            bool gated = t.FeedForward != FeedForwardKind.Plain;
            if (gated) Linear(p + ".gate_proj", 1, _d, t.FfnSize, bias, Act.FfnInput(s, _d));
            Linear(p + ".up_proj", 1, _d, t.FfnSize, bias, gated ? 0 : Act.FfnInput(s, _d));
            Add(p + ".act", ActivationName(), 1, Shape.Of(s, t.FfnSize), 0, 0, Act.FfnActivation(t, s, 1));
            Linear(p + ".down_proj", 1, t.FfnSize, _d, bias, Act.FfnDown(t, s, 1));
        }

        /// <summary>
        /// Mixture of experts (Mixtral): a router (E, d) without bias, then E expert FFNs of which each token uses top_k.
        /// Parameters count all E; active parameters and MACs count top_k (Fedus et al. 2022; Jiang et al. 2024).
        /// </summary>
        private void MixtureOfExperts(string p)
        {
            long e = t.Experts, k = t.TopK;
            // router (E, d); keeps its input (shared with the experts) and the routing logits (S, E).
            Add(p + ".router", "router", 1, Shape.Of(s, e), checked(e * _d), checked(s * _d * e), checked(Act.FfnInput(s, _d) + (s * e)));
            bool bias = FfnBias();
            bool gated = t.FeedForward != FeedForwardKind.Plain;
            if (gated) Experts(p + ".experts.gate_proj", _d, t.FfnSize, bias, 0);   // (E, f, d)
            Experts(p + ".experts.up_proj", _d, t.FfnSize, bias, 0);                // (E, f, d)
            Add(p + ".act", ActivationName(), 1, Shape.Of(s, t.FfnSize), 0, 0, Act.FfnActivation(t, s, k));
            Experts(p + ".experts.down_proj", t.FfnSize, _d, bias, Act.FfnDown(t, s, k));   // (E, d, f)

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
}
