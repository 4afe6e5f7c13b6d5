namespace ScaleLab.Core.Import.HuggingFace;

/// <summary>
/// What a transformers config class assumes when a config.json leaves a field out — the defaults of each
/// <c>XxxConfig.__init__</c> in huggingface/transformers (src/transformers/models/&lt;type&gt;/configuration_&lt;type&gt;.py).
/// They matter: tie_word_embeddings alone moves Gemma-2B by 524 M parameters.
/// </summary>
/// <param name="ModelType">The config's model_type.</param>
/// <param name="TieWordEmbeddings">PretrainedConfig's default is true; Llama, Mistral, Mixtral, Qwen2 and Phi-3 set false.</param>
/// <param name="DefaultKvHeads">num_key_value_heads when absent; null means "= num_attention_heads".</param>
/// <param name="DefaultHeadDim">head_dim when absent; null means hidden_size / num_attention_heads (Gemma: 256).</param>
/// <param name="NormEpsilon">rms_norm_eps / layer_norm_eps default.</param>
/// <param name="RopeTheta">rope_theta default.</param>
/// <param name="MaxPositions">max_position_embeddings default.</param>
/// <param name="AttentionBias">attention_bias default (gpt-oss: true); families without the key never have one.</param>
internal sealed record HfModelFamily(
    string ModelType,
    bool TieWordEmbeddings,
    long? DefaultKvHeads,
    long? DefaultHeadDim,
    double NormEpsilon,
    double RopeTheta,
    long MaxPositions,
    bool AttentionBias = false)
{
    public static IReadOnlyList<HfModelFamily> All { get; } =
    [
        new("bert", TieWordEmbeddings: true, null, null, 1e-12, 10000, 512),
        new("gemma", TieWordEmbeddings: true, DefaultKvHeads: 16, DefaultHeadDim: 256, 1e-6, 10000, 8192),
        new("gpt2", TieWordEmbeddings: true, null, null, 1e-5, 10000, 1024),
        new("llama", TieWordEmbeddings: false, null, null, 1e-6, 10000, 2048),
        new("mistral", TieWordEmbeddings: false, DefaultKvHeads: 8, null, 1e-6, 10000, 4096 * 32),
        new("mixtral", TieWordEmbeddings: false, DefaultKvHeads: 8, null, 1e-5, 1e6, 4096 * 32),
        new("phi3", TieWordEmbeddings: false, null, null, 1e-5, 10000, 4096),
        new("qwen2", TieWordEmbeddings: false, DefaultKvHeads: 32, null, 1e-6, 10000, 32768),
        new("qwen3", TieWordEmbeddings: false, DefaultKvHeads: 32, DefaultHeadDim: 128, 1e-6, 10000, 32768),
        new("qwen3_moe", TieWordEmbeddings: false, DefaultKvHeads: 4, null, 1e-6, 10000, 32768),
        new("deepseek_v2", TieWordEmbeddings: false, null, null, 1e-6, 10000, 2048),
        new("deepseek_v3", TieWordEmbeddings: false, null, null, 1e-6, 10000, 4096),
        new("gemma2", TieWordEmbeddings: true, DefaultKvHeads: 16, DefaultHeadDim: 256, 1e-6, 10000, 8192),
        new("gemma3_text", TieWordEmbeddings: true, DefaultKvHeads: 4, DefaultHeadDim: 256, 1e-6, 1e6, 131072),
        new("olmo2", TieWordEmbeddings: false, null, null, 1e-5, 10000, 2048),
        new("gpt_oss", TieWordEmbeddings: false, DefaultKvHeads: 8, DefaultHeadDim: 64, 1e-5, 150000, 131072, AttentionBias: true),
        new("llama4_text", TieWordEmbeddings: false, DefaultKvHeads: 8, DefaultHeadDim: 128, 1e-5, 500000, 4096 * 32),
    ];

    /// <summary>
    /// Config keys that change what a model holds or caches, and the model types whose transformers class reads them.
    /// A key outside its families is refused rather than ignored: a DeepSeek config relabelled "mixtral" must not be
    /// counted as a Mixtral (it would lose MLA, the shared experts and 248 of its 256 experts).
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> ArchitectureKeys { get; } = BuildArchitectureKeys();

    private static Dictionary<string, string[]> BuildArchitectureKeys()
    {
        string[] deepseek = ["deepseek_v2", "deepseek_v3"];
        var map = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (string key in new[] { "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "n_routed_experts", "n_shared_experts", "first_k_dense_replace", "moe_layer_freq", "num_nextn_predict_layers" })
            map[key] = deepseek;
        map["moe_intermediate_size"] = [.. deepseek, "qwen3_moe"];
        map["num_experts"] = ["qwen3_moe"];
        map["decoder_sparse_step"] = ["qwen3_moe"];
        map["mlp_only_layers"] = ["qwen3_moe"];
        map["num_local_experts"] = ["mixtral", "gpt_oss", "llama4_text"];
        map["num_experts_per_tok"] = ["mixtral", "qwen3_moe", .. deepseek, "gpt_oss", "llama4_text"];
        foreach (string key in new[] { "intermediate_size_mlp", "interleave_moe_layer_step", "moe_layers", "attention_chunk_size", "no_rope_layers" })
            map[key] = ["llama4_text"];
        // Qwen2-MoE's and Qwen1.5-MoE's shared expert: no supported family has one of this shape.
        map["shared_expert_intermediate_size"] = [];
        map["sliding_window"] = ["mistral", "mixtral", "phi3", "qwen2", "qwen3", "qwen3_moe", "gemma2", "gemma3_text", "gpt_oss"];
        map["sliding_window_pattern"] = ["gemma3_text"];
        map["layer_types"] = ["mistral", "mixtral", "phi3", "qwen2", "qwen3", "qwen3_moe", "gemma2", "gemma3_text", "gpt_oss", "llama4_text", "olmo2"];
        return map;
    }

    /// <summary>Sorted, with the multimodal wrappers whose text_config is read.</summary>
    public static string SupportedList =>
        string.Join(", ", All.Select(f => f.ModelType).Order(StringComparer.Ordinal)) + " (and the text_config of gemma3 and llama4)";

    public static HfModelFamily? Find(string modelType) => All.FirstOrDefault(f => f.ModelType == modelType);
}
