using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting;

/// <summary>
/// A model's numbers: one row per layer (containers included, flagged) and the totals over leaf rows.
/// Everything is per sample; for sequence models a sample is a sequence of <see cref="SequenceLength"/> tokens.
/// </summary>
public sealed record ModelCost(ModelSpec Spec, IReadOnlyList<LayerCost> Layers, long SequenceLength)
{
    private IEnumerable<LayerCost> Leaves => Layers.Where(l => !l.IsContainer);

    public long Parameters => Leaves.Sum(l => l.Parameters);

    /// <summary>Frozen parameters are not modelled yet: every parameter trains.</summary>
    public long TrainableParameters => Parameters;

    public long Buffers => Leaves.Sum(l => l.Buffers);

    public long ActiveParameters => Leaves.Sum(l => l.ActiveParameters);

    /// <summary>
    /// Parameters of the lookup tables (token, position and token-type embeddings). A tied token table counts here too,
    /// as in Kaplan et al. 2020's non-embedding N and the Gemma report's non-embedding figures.
    /// </summary>
    public long EmbeddingParameters => Leaves.Where(l => l.Type == "embedding").Sum(l => l.Parameters);

    /// <summary>Active parameters without the lookup tables: the convention of gpt-oss's "3.6B active" (arXiv:2508.10925, Table 1).</summary>
    public long ActiveParametersWithoutEmbedding => ActiveParameters - EmbeddingParameters;

    public long ForwardMacs => Leaves.Sum(l => l.ForwardMacs);

    public long ForwardFlops => checked(2 * ForwardMacs);

    /// <summary>QKᵀ and AV MACs with the full S×S score matrix.</summary>
    public long AttentionMacs => Leaves.Sum(l => l.AttentionMacs);

    /// <summary>
    /// QKᵀ and AV MACs under a causal mask: only the S(S+1)/2 lower-triangle scores are needed, so (S+1)/(2S) of the full
    /// figure. Kernels such as FlashAttention skip the masked blocks; naive ones compute all and discard half.
    /// </summary>
    public long CausalAttentionMacs => Leaves.Sum(l => l.CausalAttentionMacs ?? CausalShare(l.AttentionMacs));

    private long CausalShare(long fullMacs) => SequenceLength <= 1
        ? fullMacs
        : (long)Math.Round(fullMacs * (SequenceLength + 1) / (2.0 * SequenceLength));

    /// <summary>Forward MACs with causal attention counted as only the needed half.</summary>
    public long ForwardMacsCausal => ForwardMacs - AttentionMacs + CausalAttentionMacs;

    /// <summary>
    /// Training FLOPs per sample: forward + backward, the backward pass costing twice the forward
    /// (one matmul for the input gradient, one for the weight gradient; Kaplan et al. 2020, §2.1).
    /// </summary>
    public long TrainingFlops => checked(3 * ForwardFlops);

    public long ActivationElements => Leaves.Sum(l => l.ActivationElements);

    public long FlopsPerToken => SequenceLength <= 1 ? ForwardFlops : ForwardFlops / SequenceLength;
}
