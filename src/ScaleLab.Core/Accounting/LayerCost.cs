using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting;

/// <summary>
/// One layer's raw numbers, per sample (one image, or one sequence of <see cref="ModelCost.SequenceLength"/> tokens).
/// Convention throughout ScaleLab: 1 MAC (multiply-accumulate) = 2 FLOPs.
/// </summary>
/// <param name="Path">Where the layer sits: "layers[3]", "layers[5].body[0]", "blocks[0].attn.q_proj".</param>
/// <param name="Type">The spec type, e.g. "conv2d", or a descriptive name for transformer parts ("q_proj").</param>
/// <param name="Depth">Nesting level, for indentation in summaries (0 = top level).</param>
/// <param name="OutputShape">Per-sample output shape.</param>
/// <param name="Parameters">Trainable parameters owned by this layer; a tied tensor is counted at its first owner only.</param>
/// <param name="Buffers">Non-trainable state elements (batch-norm running mean/var), reported apart from parameters.</param>
/// <param name="ActiveParameters">Parameters used per token/sample (differs from Parameters only for mixture-of-experts).</param>
/// <param name="ForwardMacs">Forward multiply-accumulates per sample, attention's QKᵀ and AV included.</param>
/// <param name="AttentionMacs">The part of ForwardMacs spent in QKᵀ and AV with no causal mask (full S×S).</param>
/// <param name="ActivationElements">Elements this layer keeps for the backward pass, per sample.</param>
/// <param name="IsContainer">True for rows that only group children (residual, a transformer block): their numbers are the children's sums and are not added again into totals.</param>
public sealed record LayerCost(
    string Path,
    string Type,
    int Depth,
    Shape OutputShape,
    long Parameters,
    long Buffers,
    long ActiveParameters,
    long ForwardMacs,
    long AttentionMacs,
    long ActivationElements,
    bool IsContainer = false)
{
    public long ForwardFlops => checked(2 * ForwardMacs);

    /// <summary>
    /// Attention MACs of the (query, key) pairs the mask keeps — S(S+1)/2 for causal attention, a band for a sliding
    /// window — when the row knows them; null derives them from <see cref="AttentionMacs"/> as a plain causal mask would.
    /// </summary>
    public long? CausalAttentionMacs { get; init; }

    /// <summary>The user's name for the layer ("layer1.0"), when the spec gave one; shown beside the path in summaries.</summary>
    public string? Name { get; init; }
}
