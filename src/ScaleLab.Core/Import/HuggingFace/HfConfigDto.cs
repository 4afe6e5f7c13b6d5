using System.Globalization;
using System.Text.Json;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Import.HuggingFace;

/// <summary>
/// The fields of a Hugging Face config.json that decide a model's size, read as found and still untrusted: only their
/// JSON types are checked here (an integer is an integer); whether they are present, positive and consistent is decided
/// by <see cref="HfConfigMapper"/>, which knows each model_type's defaults. Every other key (id2label, torch_dtype, …)
/// is ignored: it changes no count. Names are HF's own; GPT-2's (n_embd, n_layer, …) are kept apart.
/// </summary>
internal sealed record HfConfigDto
{
    public string? ModelType { get; init; }
    public string? NameOrPath { get; init; }

    public long? VocabSize { get; init; }
    public long? HiddenSize { get; init; }
    public long? NumHiddenLayers { get; init; }
    public long? NumAttentionHeads { get; init; }
    public long? NumKeyValueHeads { get; init; }
    public long? HeadDim { get; init; }
    public long? IntermediateSize { get; init; }
    public long? MaxPositionEmbeddings { get; init; }
    public long? TypeVocabSize { get; init; }
    public double? RmsNormEps { get; init; }
    public double? LayerNormEps { get; init; }
    public double? RopeTheta { get; init; }
    public string? RopeScalingType { get; init; }
    public double? RopeScalingFactor { get; init; }
    public bool? TieWordEmbeddings { get; init; }
    public bool? AttentionBias { get; init; }
    public bool? MlpBias { get; init; }
    public string? HiddenAct { get; init; }
    public string? HiddenActivation { get; init; }
    public long? NumLocalExperts { get; init; }
    public long? NumExpertsPerTok { get; init; }

    // Current families' architecture fields (DeepSeek, Qwen3-MoE, Gemma 2/3, gpt-oss, Llama 4).
    public long? QLoraRank { get; init; }
    public long? KvLoraRank { get; init; }
    public long? QkNopeHeadDim { get; init; }
    public long? QkRopeHeadDim { get; init; }
    public long? VHeadDim { get; init; }
    public long? NRoutedExperts { get; init; }
    public long? NSharedExperts { get; init; }
    public long? FirstKDenseReplace { get; init; }
    public long? MoeLayerFreq { get; init; }
    public long? MoeIntermediateSize { get; init; }
    public long? NumNextnPredictLayers { get; init; }
    public string? TopkMethod { get; init; }
    public long? NumExperts { get; init; }
    public long? DecoderSparseStep { get; init; }
    public IReadOnlyList<long>? MlpOnlyLayers { get; init; }
    public long? SlidingWindow { get; init; }
    public long? SlidingWindowPattern { get; init; }
    public bool? UseSlidingWindow { get; init; }
    public long? MaxWindowLayers { get; init; }
    public IReadOnlyList<string>? LayerTypes { get; init; }
    public long? IntermediateSizeMlp { get; init; }
    public long? InterleaveMoeLayerStep { get; init; }
    public IReadOnlyList<long>? MoeLayers { get; init; }
    public IReadOnlyList<long>? NoRopeLayers { get; init; }
    public long? AttentionChunkSize { get; init; }

    /// <summary>Every top-level key the config holds (of text_config, for a multimodal wrapper), to catch keys a family does not understand.</summary>
    public IReadOnlySet<string> Keys { get; init; } = new HashSet<string>();

    /// <summary>The wrapper's model_type when the text model was read from its text_config (llama4, gemma3).</summary>
    public string? WrapperModelType { get; init; }

    // GPT-2's names for the same things (GPT2Config).
    public long? NEmbd { get; init; }
    public long? NLayer { get; init; }
    public long? NHead { get; init; }
    public long? NInner { get; init; }
    public long? NPositions { get; init; }
    public long? NCtx { get; init; }
    public double? LayerNormEpsilon { get; init; }
    public string? ActivationFunction { get; init; }

    // Dropout probabilities: GPT-2's (resid/embd/attn_pdrop, also Phi-3's), BERT's, and the rotary families'.
    public double? ResidPdrop { get; init; }
    public double? EmbdPdrop { get; init; }
    public double? AttnPdrop { get; init; }
    public double? HiddenDropoutProb { get; init; }
    public double? AttentionProbsDropoutProb { get; init; }
    public double? HiddenDropout { get; init; }
    public double? AttentionDropout { get; init; }

    /// <summary>Reads the top-level object of a config.json; <paramref name="source"/> is the file, for messages.</summary>
    public static HfConfigDto Read(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new SpecException(source, "top level", $"expected a JSON object, found {SpecJsonObject.Describe(root)}; a config.json is one object");
        // Multimodal wrappers (Llama 4, Gemma 3) keep the language model's fields in text_config: that is what we count.
        string? wrapper = new Reader(root, source).String("model_type");
        if (wrapper is "llama4" or "gemma3" && root.TryGetProperty("text_config", out var text) && text.ValueKind == JsonValueKind.Object)
        {
            var inner = Read(text, source, "text_config.", wrapper == "llama4" ? "llama4_text" : "gemma3_text");
            return inner with { WrapperModelType = wrapper, NameOrPath = new Reader(root, source).String("_name_or_path") ?? inner.NameOrPath };
        }
        return Read(root, source, "", null);
    }

    private static HfConfigDto Read(JsonElement root, string source, string prefix, string? defaultModelType)
    {
        var r = new Reader(root, source, prefix);
        var (ropeType, ropeFactor) = r.RopeScaling();
        return new HfConfigDto
        {
            Keys = root.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).Select(p => p.Name).ToHashSet(StringComparer.Ordinal),
            QLoraRank = r.Integer("q_lora_rank"),
            KvLoraRank = r.Integer("kv_lora_rank"),
            QkNopeHeadDim = r.Integer("qk_nope_head_dim"),
            QkRopeHeadDim = r.Integer("qk_rope_head_dim"),
            VHeadDim = r.Integer("v_head_dim"),
            NRoutedExperts = r.Integer("n_routed_experts"),
            NSharedExperts = r.Integer("n_shared_experts"),
            FirstKDenseReplace = r.Integer("first_k_dense_replace"),
            MoeLayerFreq = r.Integer("moe_layer_freq"),
            MoeIntermediateSize = r.Integer("moe_intermediate_size"),
            NumNextnPredictLayers = r.Integer("num_nextn_predict_layers"),
            TopkMethod = r.String("topk_method"),
            NumExperts = r.Integer("num_experts"),
            DecoderSparseStep = r.Integer("decoder_sparse_step"),
            MlpOnlyLayers = r.IntegerList("mlp_only_layers"),
            SlidingWindow = r.Integer("sliding_window"),
            SlidingWindowPattern = r.Integer("sliding_window_pattern"),
            UseSlidingWindow = r.Boolean("use_sliding_window"),
            MaxWindowLayers = r.Integer("max_window_layers"),
            LayerTypes = r.StringList("layer_types"),
            IntermediateSizeMlp = r.Integer("intermediate_size_mlp"),
            InterleaveMoeLayerStep = r.Integer("interleave_moe_layer_step"),
            MoeLayers = r.IntegerList("moe_layers"),
            NoRopeLayers = r.IntegerList("no_rope_layers"),
            AttentionChunkSize = r.Integer("attention_chunk_size"),
            ModelType = r.String("model_type") ?? defaultModelType,
            NameOrPath = r.String("_name_or_path"),
            VocabSize = r.Integer("vocab_size"),
            HiddenSize = r.Integer("hidden_size"),
            NumHiddenLayers = r.Integer("num_hidden_layers"),
            NumAttentionHeads = r.Integer("num_attention_heads"),
            NumKeyValueHeads = r.Integer("num_key_value_heads"),
            HeadDim = r.Integer("head_dim"),
            IntermediateSize = r.Integer("intermediate_size"),
            MaxPositionEmbeddings = r.Integer("max_position_embeddings"),
            TypeVocabSize = r.Integer("type_vocab_size"),
            RmsNormEps = r.Number("rms_norm_eps"),
            LayerNormEps = r.Number("layer_norm_eps"),
            RopeTheta = r.Number("rope_theta"),
            RopeScalingType = ropeType,
            RopeScalingFactor = ropeFactor,
            TieWordEmbeddings = r.Boolean("tie_word_embeddings"),
            AttentionBias = r.Boolean("attention_bias"),
            MlpBias = r.Boolean("mlp_bias"),
            HiddenAct = r.String("hidden_act"),
            HiddenActivation = r.String("hidden_activation"),
            NumLocalExperts = r.Integer("num_local_experts"),
            NumExpertsPerTok = r.Integer("num_experts_per_tok"),
            NEmbd = r.Integer("n_embd"),
            NLayer = r.Integer("n_layer"),
            NHead = r.Integer("n_head"),
            NInner = r.Integer("n_inner"),
            NPositions = r.Integer("n_positions"),
            NCtx = r.Integer("n_ctx"),
            LayerNormEpsilon = r.Number("layer_norm_epsilon"),
            ActivationFunction = r.String("activation_function"),
            ResidPdrop = r.Number("resid_pdrop"),
            EmbdPdrop = r.Number("embd_pdrop"),
            AttnPdrop = r.Number("attn_pdrop"),
            HiddenDropoutProb = r.Number("hidden_dropout_prob"),
            AttentionProbsDropoutProb = r.Number("attention_probs_dropout_prob"),
            HiddenDropout = r.Number("hidden_dropout"),
            AttentionDropout = r.Number("attention_dropout"),
        };
    }

    /// <summary>Typed reads of one object; JSON null counts as absent, as transformers' from_dict treats it.</summary>
    private readonly struct Reader(JsonElement root, string source, string prefix = "")
    {
        public string? String(string field) => Get(field) is { } v
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw Wrong(field, v, "a string")
            : null;

        public long? Integer(string field) => Get(field) is { } v
            ? v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : throw Wrong(field, v, "an integer")
            : null;

        public double? Number(string field) => Get(field) is { } v
            ? v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double x) && double.IsFinite(x) ? x : throw Wrong(field, v, "a finite number")
            : null;

        public bool? Boolean(string field) => Get(field) is { } v
            ? v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Wrong(field, v, "true or false"),
            }
            : null;

        /// <summary>A list of integers (layer indices, 0/1 flags); at most <see cref="TransformerSpecJson.MaxLayers"/> of them.</summary>
        public IReadOnlyList<long>? IntegerList(string field) =>
            List<long>(field, "integers", TryInteger);

        /// <summary>A list of strings (layer_types); at most <see cref="TransformerSpecJson.MaxLayers"/> of them.</summary>
        public IReadOnlyList<string>? StringList(string field) =>
            List<string>(field, "strings", TryString);

        private delegate bool TryRead<T>(JsonElement element, out T value);

        private static bool TryInteger(JsonElement e, out long value)
        {
            value = 0;
            return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value);
        }

        private static bool TryString(JsonElement e, out string value)
        {
            value = e.ValueKind == JsonValueKind.String ? e.GetString()! : "";
            return e.ValueKind == JsonValueKind.String;
        }

        private List<T>? List<T>(string field, string what, TryRead<T> read)
        {
            if (Get(field) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() > TransformerSpecJson.MaxLayers)
                throw Wrong(field, v, $"a list of at most {Num(TransformerSpecJson.MaxLayers)} {what}");
            var values = new List<T>();
            foreach (var e in v.EnumerateArray())
                values.Add(read(e, out T value) ? value : throw Wrong(field, e, $"one of a list of {what}"));
            return values;
        }

        /// <summary>
        /// rope_scaling (Llama 3.1: {"rope_type": "llama3", "factor": 8.0, …}; older configs say "type"): recorded, not
        /// counted — it rescales rotary frequencies, which are buffers, not parameters.
        /// </summary>
        public (string? Type, double? Factor) RopeScaling()
        {
            if (Get("rope_scaling") is not { } v) return (null, null);
            if (v.ValueKind != JsonValueKind.Object) throw Wrong("rope_scaling", v, "an object such as {\"rope_type\": \"llama3\", \"factor\": 8.0}, or null");
            var inner = new Reader(v, source, prefix + "rope_scaling.");
            string? type = inner.String("rope_type") ?? inner.String("type");
            double? factor = inner.Number("factor");
            return (type, factor);
        }

        private JsonElement? Get(string field) =>
            root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        private SpecException Wrong(string field, JsonElement value, string want) =>
            new(source, prefix + field, $"{SpecJsonObject.Describe(value)} is not {want}");
    }

    internal static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
