using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Prefill (the prompt, all at once) and decode (one token per sequence per step) as separate roofline bounds, and the
/// cache as a paged KV cache holds it.
/// </summary>
/// <param name="PromptTokens">Tokens per sequence prefilled together (the context unless --prompt says otherwise).</param>
/// <param name="PrefillFlops">The whole batch's prompts: 2 FLOPs per weight used per token, plus causal QKᵀ and AV (2·P²·d_attn per layer).</param>
/// <param name="PrefillBytes">The weights read once for the batch, plus the K and V written for every prompt token.</param>
/// <param name="BlockTokens">Tokens per KV block (vLLM's default block_size 16).</param>
public sealed record ServingPhases(
    long PromptTokens,
    double PrefillFlops,
    double PrefillBytes,
    double PeakFlopsPerSecond,
    double BandwidthBytesPerSecond,
    double DecodeTokensPerSecond,
    long Batch,
    int BlockTokens,
    double KvBytesPerToken,
    long Context,
    long FreeBytes)
{
    public double PrefillComputeSeconds => PrefillFlops / PeakFlopsPerSecond;

    public double PrefillMemorySeconds => PrefillBytes / BandwidthBytesPerSecond;

    /// <summary>Time to first token cannot be shorter than the slower of the two (it includes no queueing or scheduling).</summary>
    public double TimeToFirstTokenSeconds => Math.Max(PrefillComputeSeconds, PrefillMemorySeconds);

    public bool PrefillIsComputeBound => PrefillComputeSeconds >= PrefillMemorySeconds;

    /// <summary>Prompt tokens per second the batch's prefill reaches at its bound.</summary>
    public double PrefillTokensPerSecond => Batch * PromptTokens / TimeToFirstTokenSeconds;

    /// <summary>Decode tokens/s one sequence sees: the aggregate shared by the batch.</summary>
    public double DecodeTokensPerSecondPerSequence => DecodeTokensPerSecond / Batch;

    /// <summary>⌈context / block⌉ blocks a full-length sequence holds.</summary>
    public long BlocksPerSequence => (Context + BlockTokens - 1) / BlockTokens;

    public long PagedBytesPerSequence => checked((long)Math.Ceiling(BlocksPerSequence * BlockTokens * KvBytesPerToken));

    /// <summary>The unused tail of a sequence's last block: the only waste of a paged cache (Kwon et al. 2023, §4.2).</summary>
    public long WasteBytesPerSequence => checked((long)Math.Ceiling(((BlocksPerSequence * BlockTokens) - Context) * KvBytesPerToken));

    /// <summary>Full-length sequences whose blocks fit beside the weights; null when the model keeps no cache.</summary>
    public long? MaxConcurrentSequences => KvBytesPerToken <= 0 ? null : Math.Max(0, FreeBytes / PagedBytesPerSequence);
}

/// <summary>
/// Prefill and decode bounds for a <see cref="ServingPlan"/> (Pope et al. 2022, "Efficiently Scaling Transformer
/// Inference", §2: prefill runs the prompt's tokens in parallel and is usually compute-bound, decode one token at a time
/// and usually bandwidth-bound), and the paged KV cache of vLLM (Kwon et al. 2023, "Efficient Memory Management for Large
/// Language Model Serving with PagedAttention", §4: fixed blocks of 16 tokens, waste only in a sequence's last block).
/// </summary>
public static class ServingPhasesPlanner
{
    public const int DefaultBlockTokens = 16;

    public static ServingPhases For(ModelCost cost, ServingPlan plan, long? promptTokens = null, int blockTokens = DefaultBlockTokens)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(plan);
        long prompt = promptTokens ?? plan.Context;
        if (prompt < 1 || prompt > plan.Context) throw new PlanningException($"--prompt {prompt}: it must be from 1 to the context, {plan.Context}");
        if (blockTokens < 1) throw new PlanningException($"--block-size {blockTokens}: it must be at least 1 (vLLM's default is 16)");
        var m = cost.Spec.Transformer;
        long notRead = ServingPlanner.EmbeddingRowsNotRead(m);
        double perToken = 2.0 * (cost.ActiveParameters - notRead);
        double attention = m is null ? 0 : 2.0 * ServingPlanner.PrefillAttentionMacs(m, prompt);
        double flops = plan.Batch * ((perToken * prompt) + attention);

        double kvPerToken = (double)plan.KvCacheBytesPerSequence / plan.Context;
        double weightsRead = (double)plan.WeightBytes * (cost.Parameters - notRead) / cost.Parameters;   // every expert is touched by a long prompt
        double bytes = weightsRead + (plan.Batch * prompt * kvPerToken);
        return new ServingPhases(prompt, flops, bytes, plan.PeakFlopsPerSecond, plan.BandwidthBytesPerSecond, plan.TokensPerSecondUpperBound,
            plan.Batch, blockTokens, kvPerToken, plan.Context, Math.Max(0, plan.CapacityBytes - plan.WeightBytes));
    }
}
