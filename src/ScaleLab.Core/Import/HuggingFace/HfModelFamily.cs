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
internal sealed record HfModelFamily(
    string ModelType,
    bool TieWordEmbeddings,
    long? DefaultKvHeads,
    long? DefaultHeadDim,
    double NormEpsilon,
    double RopeTheta,
    long MaxPositions)
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
    ];

    public static string SupportedList => string.Join(", ", All.Select(f => f.ModelType));

    public static HfModelFamily? Find(string modelType) => All.FirstOrDefault(f => f.ModelType == modelType);
}
