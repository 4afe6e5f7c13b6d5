namespace ScaleLab.Core.Spec;

public enum TransformerKind { Decoder, Encoder }

/// <summary>Plain: up(d→ffn), act, down(ffn→d). Gated (SwiGLU/GeGLU, Shazeer 2020): gate and up (d→ffn), act(gate)·up, down.</summary>
public enum FeedForwardKind { Plain, SwiGlu, GeGlu }

public enum NormKind { LayerNorm, RmsNorm }

public enum PositionKind { Learned, Rotary, None }

/// <summary>Which linear layers carry a bias: none (Llama), Q/K/V only (Qwen2), or all (GPT-2, BERT).</summary>
public enum BiasKind { None, QkvOnly, All }

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

    /// <summary>Post-norm residual blocks (BERT) rather than pre-norm (GPT-2, Llama). Changes no count, only the layout.</summary>
    public bool PostNorm { get; init; }

    /// <summary>A language-model head (d→vocab). Decoders have one; the BERT base model does not.</summary>
    public bool LmHead { get; init; } = true;

    public int EffectiveKvHeads => KvHeads ?? Heads;

    public long EffectiveHeadDim => HeadDim ?? DModel / Heads;

    public bool IsMixtureOfExperts => Experts > 1;

    /// <summary>
    /// Dropout probability on the embedding output and the residual branches (HF resid_pdrop, embd_pdrop,
    /// hidden_dropout_prob, hidden_dropout). Null: not stated; planning then assumes 0.1, GPT-2's and BERT's value.
    /// </summary>
    public double? Dropout { get; init; }

    /// <summary>Dropout probability on the attention probabilities (HF attn_pdrop, attention_probs_dropout_prob, attention_dropout). Null: as <see cref="Dropout"/>.</summary>
    public double? AttentionDropout { get; init; }
}
