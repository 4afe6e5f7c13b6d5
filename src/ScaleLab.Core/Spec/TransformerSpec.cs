namespace ScaleLab.Core.Spec;

public enum TransformerKind { Decoder, Encoder }

/// <summary>Plain: up(d→ffn), act, down(ffn→d). Gated (SwiGLU/GeGLU, Shazeer 2020): gate and up (d→ffn), act(gate)·up, down.</summary>
public enum FeedForwardKind { Plain, SwiGlu, GeGlu }

public enum NormKind { LayerNorm, RmsNorm }

public enum PositionKind { Learned, Rotary, None }

/// <summary>Which linear layers carry a bias: none (Llama), Q/K/V only (Qwen2), or all (GPT-2, BERT, gpt-oss).</summary>
public enum BiasKind { None, QkvOnly, All }

/// <summary>Where a block's norms sit around its two sub-layers f (attention, then the feed-forward).</summary>
public enum NormPlacement
{
    /// <summary>x + f(norm(x)): GPT-2, Llama, Qwen, DeepSeek — two norms per block.</summary>
    Pre,

    /// <summary>norm(x + f(x)): BERT and the original Transformer — two norms per block.</summary>
    Post,

    /// <summary>x + post_norm(f(pre_norm(x))): Gemma 2 and 3 — four norms per block.</summary>
    Sandwich,

    /// <summary>x + norm(f(x)): OLMo 2's "reordered norm" — two norms per block, on the sub-layer outputs.</summary>
    PostSublayer,
}

/// <summary>
/// RMSNorm on queries and keys before the dot product. PerHead: one (head_dim) weight shared by every head (Qwen3,
/// Gemma 3). Full: one weight over all query heads (H·hd) and one over all key heads (kv·hd) (OLMo 2).
/// Weightless L2 norms (Llama 4's use_qk_norm) own no parameters and are not modelled here.
/// </summary>
public enum QkNormKind { None, PerHead, Full }

/// <summary>
/// A decoder-only (GPT, Llama, Mistral, Mixtral) or encoder (BERT) transformer described by its hyper-parameters.
/// </summary>
public sealed record TransformerSpec
{
    public TransformerKind Kind { get; init; } = TransformerKind.Decoder;
    public long VocabSize { get; init; }
    public long DModel { get; init; }
    public int Layers { get; init; }
    public int Heads { get; init; }

    /// <summary>Key/value heads: = Heads for MHA, fewer for GQA, 1 for MQA. Null means Heads.</summary>
    public int? KvHeads { get; init; }

    /// <summary>Per-head width when it is not DModel / Heads (Gemma: 256). Null means DModel / Heads.</summary>
    public long? HeadDim { get; init; }

    public long FfnSize { get; init; }
    public FeedForwardKind FeedForward { get; init; } = FeedForwardKind.Plain;
    public ActivationKind Activation { get; init; } = ActivationKind.Gelu;
    public NormKind Norm { get; init; } = NormKind.LayerNorm;

    /// <summary>LayerNorm with a bias vector (GPT-2, BERT); ignored for RMSNorm, which never has one.</summary>
    public bool NormBias { get; init; } = true;

    public double NormEpsilon { get; init; } = 1e-5;
    public PositionKind Positions { get; init; } = PositionKind.Learned;

    /// <summary>Rows of the learned position table; also the longest context the model was trained for.</summary>
    public long MaxPositions { get; init; } = 2048;

    /// <summary>Rotary base frequency (θ); recorded, not counted: rotary positions have no parameters.</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>LM head shares the token-embedding matrix: counted once, but its matmul is still paid.</summary>
    public bool TiedEmbeddings { get; init; }

    public BiasKind Bias { get; init; } = BiasKind.All;

    /// <summary>Bias on the feed-forward linears, when it differs from <see cref="Bias"/> (HF's mlp_bias). Null follows Bias == All.</summary>
    public bool? FfnBias { get; init; }

    /// <summary>Mixture-of-experts: experts per layer (0 or 1 = dense) and experts used per token.</summary>
    public int Experts { get; init; }
    public int TopK { get; init; } = 1;

    /// <summary>BERT's token-type (segment) vocabulary; 0 for none.</summary>
    public long TypeVocabSize { get; init; }

    /// <summary>BERT's pooler: a dense d→d with tanh over the first token.</summary>
    public bool Pooler { get; init; }

    /// <summary>A norm applied to the embeddings before the first block (BERT).</summary>
    public bool EmbeddingNorm { get; init; }

    /// <summary>A norm after the last block (pre-norm decoders: GPT-2, Llama).</summary>
    public bool FinalNorm { get; init; } = true;

    /// <summary>A language-model head (d→vocab). Decoders have one; the BERT base model does not.</summary>
    public bool LmHead { get; init; } = true;

    /// <summary>Where each block's norms sit; Pre unless the model says otherwise.</summary>
    public NormPlacement Placement { get; init; } = NormPlacement.Pre;

    /// <summary>Norms on queries and keys (Qwen3, Gemma 3, OLMo 2).</summary>
    public QkNormKind QkNorm { get; init; } = QkNormKind.None;

    /// <summary>Multi-head latent attention (DeepSeek-V2/V3) in place of Q/K/V projections; null for ordinary attention.</summary>
    public LatentAttention? Latent { get; init; }

    /// <summary>A learned per-head logit added to every softmax (gpt-oss's attention sinks): H parameters per layer.</summary>
    public bool AttentionSinks { get; init; }

    /// <summary>Layers that attend to a bounded span (sliding window or chunks); null when every layer sees the whole context.</summary>
    public LocalAttention? Local { get; init; }

    /// <summary>Width of one routed expert's FFN when it differs from the dense FFN's (DeepSeek moe_intermediate_size). Null means FfnSize.</summary>
    public long? ExpertFfnSize { get; init; }

    /// <summary>Experts every token goes through besides its top_k routed ones (DeepSeek n_shared_experts, Llama 4: 1), each ExpertFfnSize wide.</summary>
    public int SharedExperts { get; init; }

    /// <summary>The router has a bias vector (gpt-oss).</summary>
    public bool RouterBias { get; init; }

    /// <summary>
    /// DeepSeek-V3's e_score_correction_bias: one value per routed expert per MoE layer, moved by the auxiliary-loss-free
    /// balancing rule rather than by gradients. A buffer (transformers registers it so), stored in the checkpoint.
    /// </summary>
    public bool RouterScoreBias { get; init; }

    /// <summary>Layers with a dense FFN (FfnSize wide) in a mixture-of-experts model (DeepSeek's first_k_dense_replace, Qwen3-MoE's mlp_only_layers, Llama 4's interleaving). Null: every layer routes.</summary>
    public LayerSet? DenseLayers { get; init; }

    /// <summary>
    /// DeepSeek-V3's multi-token-prediction modules (num_nextn_predict_layers): stored in the checkpoint, used only in
    /// training and speculative decoding, and reported apart from the main model, never added to its count.
    /// </summary>
    public int PredictionLayers { get; init; }

    public int EffectiveKvHeads => KvHeads ?? Heads;

    public long EffectiveHeadDim => HeadDim ?? DModel / Heads;

    public bool IsMixtureOfExperts => Experts > 1;

    public long EffectiveExpertFfnSize => ExpertFfnSize ?? FfnSize;

    /// <summary>Whether block <paramref name="layer"/> routes tokens to experts (false for a dense layer of a MoE model).</summary>
    public bool IsMoeLayer(int layer) => IsMixtureOfExperts && !(DenseLayers?.Contains(layer) ?? false);

    /// <summary>Whether block <paramref name="layer"/> attends to a bounded span (<see cref="Local"/>).</summary>
    public bool IsLocalLayer(int layer) => Local is { } local && local.Layers.Contains(layer);

    /// <summary>
    /// Dropout probability on the embedding output and the residual branches (HF resid_pdrop, embd_pdrop,
    /// hidden_dropout_prob, hidden_dropout). Null: not stated; planning then assumes 0.1, GPT-2's and BERT's value.
    /// </summary>
    public double? Dropout { get; init; }

    /// <summary>Dropout probability on the attention probabilities (HF attn_pdrop, attention_probs_dropout_prob, attention_dropout). Null: as <see cref="Dropout"/>.</summary>
    public double? AttentionDropout { get; init; }
}

/// <summary>
/// Multi-head latent attention (DeepSeek-V2, arXiv:2405.04434 §2.1): keys and values come from one compressed latent
/// of KvRank per token (plus a RopeHeadDim key shared by all heads), which is all the KV cache holds; queries are
/// low-rank too when QueryRank is set (DeepSeek-V3: 1536; V2-Lite: none, a full q_proj).
/// </summary>
public sealed record LatentAttention(long? QueryRank, long KvRank, long NopeHeadDim, long RopeHeadDim, long ValueHeadDim)
{
    /// <summary>Width of one head's query and key: the position-free part plus the rotary part (DeepSeek-V3: 128 + 64).</summary>
    public long QkHeadDim => NopeHeadDim + RopeHeadDim;
}

/// <summary>How a local layer bounds its span: a window sliding with the query (Mistral, Gemma 2/3, gpt-oss) or fixed chunks (Llama 4).</summary>
public enum LocalAttentionKind { Sliding, Chunked }

/// <summary>Layers whose queries see at most <paramref name="Window"/> tokens: the last Window (sliding) or their own chunk (chunked).</summary>
public sealed record LocalAttention(LocalAttentionKind Kind, long Window, LayerSet Layers);
