using System.Globalization;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Import.HuggingFace;

/// <summary>
/// Validates an <see cref="HfConfigDto"/> and turns it into the <see cref="TransformerSpec"/> of the model that
/// transformers builds from it. Counting convention: decoders as AutoModelForCausalLM loads them (embeddings, blocks,
/// final norm and the LM head, a tied head counted once); BERT as BertModel loads it (embeddings, encoder and the
/// pooler, no MLM/NSP head) — the convention of the published 110 M / 340 M figures.
/// Size fields are required even where the config class has a default: a config.json without hidden_size is broken,
/// and silently sizing it as the class's default model would be a wrong answer, not an estimate.
/// </summary>
internal static class HfConfigMapper
{
    public static TransformerSpec Map(HfConfigDto c, string source)
    {
        string type = c.ModelType
            ?? throw new SpecException(source, "model_type", $"missing; a Hugging Face config names its architecture there (supported: {HfModelFamily.SupportedList})");
        var family = HfModelFamily.Find(type)
            ?? throw new SpecException(source, "model_type", $"\"{type}\" is not supported; supported model types: {HfModelFamily.SupportedList}");
        var check = new Checks(source, type);
        return type switch
        {
            "gpt2" => Gpt2(c, family, check),
            "bert" => Bert(c, family, check),
            _ => Rotary(c, family, check),
        };
    }

    /// <summary>GPT2LMHeadModel: learned positions (n_positions), every linear biased, LayerNorm with bias, n_inner = 4·n_embd when null.</summary>
    private static TransformerSpec Gpt2(HfConfigDto c, HfModelFamily family, Checks check)
    {
        long d = check.Positive("n_embd", c.NEmbd, "the residual stream width");
        int heads = check.Count("n_head", c.NHead, "the number of attention heads");
        check.HeadsDivide(d, "n_embd", heads, "n_head", null);
        return new TransformerSpec
        {
            Kind = TransformerKind.Decoder,
            VocabSize = check.Positive("vocab_size", c.VocabSize, "the number of token ids"),
            DModel = d,
            Layers = check.Count("n_layer", c.NLayer, "the number of transformer blocks"),
            Heads = heads,
            FfnSize = c.NInner is null ? checked(4 * d) : check.Positive("n_inner", c.NInner, "the MLP width"),
            FeedForward = FeedForwardKind.Plain,
            Activation = PlainActivation(c.ActivationFunction ?? "gelu_new", "activation_function", check),
            Norm = NormKind.LayerNorm,
            NormEpsilon = c.LayerNormEpsilon ?? family.NormEpsilon,
            Positions = PositionKind.Learned,
            MaxPositions = check.Positive("n_positions", c.NPositions ?? c.NCtx ?? family.MaxPositions, "rows of the position table"),
            TiedEmbeddings = c.TieWordEmbeddings ?? family.TieWordEmbeddings,
            Bias = BiasKind.All,
        };
    }

    /// <summary>BertModel: word, position and token-type embeddings with a LayerNorm, post-norm blocks, pooler; no LM head.</summary>
    private static TransformerSpec Bert(HfConfigDto c, HfModelFamily family, Checks check)
    {
        var (d, heads, layers, ffn, vocab) = Sizes(c, check);
        check.HeadsDivide(d, "hidden_size", heads, "num_attention_heads", null);
        return new TransformerSpec
        {
            Kind = TransformerKind.Encoder,
            VocabSize = vocab,
            DModel = d,
            Layers = layers,
            Heads = heads,
            FfnSize = ffn,
            FeedForward = FeedForwardKind.Plain,
            Activation = PlainActivation(c.HiddenAct ?? "gelu", "hidden_act", check),
            Norm = NormKind.LayerNorm,
            NormEpsilon = c.LayerNormEps ?? family.NormEpsilon,
            Positions = PositionKind.Learned,
            MaxPositions = check.Positive("max_position_embeddings", c.MaxPositionEmbeddings ?? family.MaxPositions, "rows of the position table"),
            TiedEmbeddings = false,   // nothing to tie: the base model has no LM head
            Bias = BiasKind.All,
            TypeVocabSize = check.NonNegative("type_vocab_size", c.TypeVocabSize ?? 2, "rows of the token-type table"),
            Pooler = true,
            EmbeddingNorm = true,
            FinalNorm = false,
            PostNorm = true,
            LmHead = false,
        };
    }

    /// <summary>
    /// Llama, Mistral, Mixtral, Qwen2, Gemma, Phi-3: rotary positions (no table), RMSNorm, gated FFN, untied unless the
    /// config or the family says so. Biases: Llama/Gemma attention_bias puts a bias on q, k, v and o; Qwen2 always has
    /// q/k/v biases and none on o (Qwen2Attention); Mistral, Mixtral and Phi-3 have none; mlp_bias only in Llama.
    /// </summary>
    private static TransformerSpec Rotary(HfConfigDto c, HfModelFamily family, Checks check)
    {
        var (d, heads, layers, ffn, vocab) = Sizes(c, check);
        long? headDim = c.HeadDim is null ? family.DefaultHeadDim : check.Positive("head_dim", c.HeadDim, "the width of one head");
        check.HeadsDivide(d, "hidden_size", heads, "num_attention_heads", headDim);
        int kvHeads = c.NumKeyValueHeads is null
            ? (int)(family.DefaultKvHeads ?? heads)
            : check.Count("num_key_value_heads", c.NumKeyValueHeads, "key/value heads");
        check.KvDivides(kvHeads, heads);
        var (experts, topK) = family.ModelType == "mixtral" ? Experts(c, check) : (0, 1);
        bool attentionBias = family.ModelType is "llama" or "gemma" && (c.AttentionBias ?? false);
        string act = c.HiddenActivation ?? c.HiddenAct ?? (family.ModelType == "gemma" ? "gelu_pytorch_tanh" : "silu");
        var gate = GatedActivation(act, c.HiddenActivation is null ? "hidden_act" : "hidden_activation", check);
        return new TransformerSpec
        {
            Kind = TransformerKind.Decoder,
            VocabSize = vocab,
            DModel = d,
            Layers = layers,
            Heads = heads,
            KvHeads = kvHeads == heads ? null : kvHeads,
            // Keep head_dim only when it is not d/heads, so the spec reads as a person would write it.
            HeadDim = headDim is { } hd && hd * heads != d ? hd : null,
            FfnSize = ffn,
            FeedForward = gate,
            Activation = gate == FeedForwardKind.SwiGlu ? ActivationKind.Silu : ActivationKind.Gelu,
            Norm = NormKind.RmsNorm,
            NormBias = false,
            NormEpsilon = c.RmsNormEps ?? family.NormEpsilon,
            Positions = PositionKind.Rotary,
            MaxPositions = check.Positive("max_position_embeddings", c.MaxPositionEmbeddings ?? family.MaxPositions, "the longest context"),
            RopeTheta = c.RopeTheta is { } theta && theta > 0 ? theta : family.RopeTheta,
            TiedEmbeddings = c.TieWordEmbeddings ?? family.TieWordEmbeddings,
            Bias = family.ModelType == "qwen2" ? BiasKind.QkvOnly : attentionBias ? BiasKind.All : BiasKind.None,
            FfnBias = family.ModelType == "llama" && (c.MlpBias ?? false),
            Experts = experts,
            TopK = topK,
        };
    }

    private static (long D, int Heads, int Layers, long Ffn, long Vocab) Sizes(HfConfigDto c, Checks check) => (
        check.Positive("hidden_size", c.HiddenSize, "the residual stream width"),
        check.Count("num_attention_heads", c.NumAttentionHeads, "the number of query heads"),
        check.Count("num_hidden_layers", c.NumHiddenLayers, "the number of transformer blocks"),
        check.Positive("intermediate_size", c.IntermediateSize, "the MLP width (per expert for MoE)"),
        check.Positive("vocab_size", c.VocabSize, "the number of token ids"));

    /// <summary>MixtralSparseMoeBlock: num_local_experts FFNs (default 8), num_experts_per_tok of them per token (default 2).</summary>
    private static (int Experts, int TopK) Experts(HfConfigDto c, Checks check)
    {
        int experts = check.Count("num_local_experts", c.NumLocalExperts ?? 8, "experts per layer");
        int topK = check.Count("num_experts_per_tok", c.NumExpertsPerTok ?? 2, "experts used per token");
        if (topK > experts)
            throw check.Fail("num_experts_per_tok", $"{Num(topK)} is more than num_local_experts {Num(experts)}; it must be from 1 to {Num(experts)}");
        return (experts, topK);
    }

    /// <summary>HF's ACT2FN names for the plain MLP (GPT-2's gelu_new is the tanh approximation: same count).</summary>
    private static ActivationKind PlainActivation(string name, string field, Checks check) => name switch
    {
        "gelu" or "gelu_new" or "gelu_fast" or "gelu_pytorch_tanh" or "quick_gelu" => ActivationKind.Gelu,
        "relu" => ActivationKind.Relu,
        "silu" or "swish" => ActivationKind.Silu,
        "tanh" => ActivationKind.Tanh,
        _ => throw check.Fail(field, $"\"{name}\" is not a known activation; supported: gelu, gelu_new, gelu_fast, gelu_pytorch_tanh, quick_gelu, relu, silu, swish, tanh"),
    };

    /// <summary>The gated MLP's gate activation: SiLU makes SwiGLU (Llama), GELU makes GeGLU (Gemma).</summary>
    private static FeedForwardKind GatedActivation(string name, string field, Checks check) => name switch
    {
        "silu" or "swish" => FeedForwardKind.SwiGlu,
        "gelu" or "gelu_new" or "gelu_fast" or "gelu_pytorch_tanh" => FeedForwardKind.GeGlu,
        _ => throw check.Fail(field, $"\"{name}\" is not a supported gate activation; supported: silu, swish (SwiGLU), gelu, gelu_new, gelu_fast, gelu_pytorch_tanh (GeGLU)"),
    };

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Presence and range checks whose messages name the file, the model type, the field and the value.</summary>
    private readonly struct Checks(string source, string modelType)
    {
        public SpecException Fail(string field, string problem) => new(source, field, problem);

        public long Positive(string field, long? value, string what)
        {
            if (value is null) throw Fail(field, $"missing; a {modelType} config needs it ({what})");
            if (value < 1) throw Fail(field, $"{Num(value.Value)}; it must be a positive integer ({what})");
            if (value > TransformerSpecJson.MaxVocab)
                throw Fail(field, $"{Num(value.Value)} is beyond any real model; at most {Num(TransformerSpecJson.MaxVocab)} is accepted");
            return value.Value;
        }

        public long NonNegative(string field, long value, string what) =>
            value < 0 ? throw Fail(field, $"{Num(value)}; it must be 0 or more ({what})") : value;

        public int Count(string field, long? value, string what)
        {
            long n = Positive(field, value, what);
            if (n > TransformerSpecJson.MaxLayers)
                throw Fail(field, $"{Num(n)} is beyond any real model; at most {Num(TransformerSpecJson.MaxLayers)} is accepted");
            return (int)n;
        }

        public void HeadsDivide(long d, string dField, int heads, string headsField, long? headDim)
        {
            if (headDim is null && d % heads != 0)
                throw Fail(headsField, $"{Num(heads)} does not divide {dField} {Num(d)}; heads must divide it unless head_dim is given");
        }

        public void KvDivides(int kvHeads, int heads)
        {
            if (kvHeads > heads || heads % kvHeads != 0)
                throw Fail("num_key_value_heads", $"{Num(kvHeads)} does not divide num_attention_heads {Num(heads)}; each key/value head serves an equal group of query heads");
        }
    }
}
