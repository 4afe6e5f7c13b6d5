using ScaleLab.Core.Accounting;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Serving a mixture of experts with expert parallelism on every GPU (DeepSeek-V3 report §3.4 and vLLM/SGLang's
/// data-parallel attention with expert parallelism): each GPU holds the whole non-expert model (attention, embeddings,
/// router) and E/ep of every layer's experts, and decodes its own share of the sequences; tokens travel to their experts
/// and back by all-to-all (its buffers are not counted).
/// </summary>
/// <param name="Gpus">The expert-parallel degree: every GPU is one expert-parallel rank.</param>
/// <param name="DenseWeightBytes">Non-expert weights, whole on every GPU.</param>
/// <param name="ExpertWeightBytes">This GPU's experts: E/ep of each layer's.</param>
/// <param name="KvBytes">The cache of this GPU's ⌈batch / ep⌉ sequences.</param>
/// <param name="BytesReadPerStep">One decode step on one GPU: its dense weights (the embedding rows not looked up excluded), the share of its experts the batch touches, its sequences' caches.</param>
public sealed record ExpertParallelServing(
    int Gpus,
    long DenseWeightBytes,
    long ExpertWeightBytes,
    long KvBytes,
    long CapacityBytes,
    long? MaxBatch,
    double BytesReadPerStep,
    double MemoryBoundTokensPerSecond,
    double ComputeBoundTokensPerSecond)
{
    public long TotalBytes => checked(DenseWeightBytes + ExpertWeightBytes + KvBytes);

    public bool Fits => TotalBytes <= CapacityBytes;

    public double TokensPerSecondUpperBound => Math.Min(MemoryBoundTokensPerSecond, ComputeBoundTokensPerSecond);
}

public static class ExpertParallelServingPlanner
{
    /// <summary>Expert parallelism over <see cref="ServingPlan.Gpus"/> for a plan whose model is a mixture of experts.</summary>
    public static ExpertParallelServing For(ModelCost cost, ServingPlan plan, HardwareProfile hardware)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(hardware);
        var m = cost.Spec.Transformer;
        if (m is null || !m.IsMixtureOfExperts)
            throw new PlanningException("--ep needs a mixture of experts; this model is dense");
        int ep = plan.Gpus;
        if (m.Experts % ep != 0)
            throw new PlanningException($"--ep {ep} (= --gpus) does not divide the {m.Experts} experts; each GPU holds a whole number of experts");

        // Bytes per parameter as the plan stores them (plain precision or a stored recipe's average).
        double bytesPerParameter = (double)plan.WeightBytes / cost.Parameters;
        long expertParameters = ParallelMemory.ExpertParametersPerRank(cost, ParallelLayout.Single);
        long dense = (long)Math.Ceiling((cost.Parameters - expertParameters) * bytesPerParameter);
        long experts = (long)Math.Ceiling(expertParameters * bytesPerParameter / ep);
        long sequencesHere = (plan.Batch + ep - 1) / ep;
        long kv = checked(sequencesHere * plan.KvCacheBytesPerSequence);
        long? maxBatch = plan.KvCacheBytesPerSequence == 0 ? null
            : ep * Math.Max(0, (hardware.MemoryBytes - dense - experts) / plan.KvCacheBytesPerSequence);

        // A step: the batch's tokens are routed over all experts, each touched with probability 1 − (1 − k/E)^B.
        double touched = 1 - Math.Pow(1 - ((double)m.TopK / m.Experts), plan.Batch);
        double denseRead = (cost.Parameters - expertParameters - ServingPlanner.EmbeddingRowsNotRead(m)) * bytesPerParameter;
        double bytes = denseRead + (experts * touched) + kv;
        double memoryBound = plan.Batch * hardware.MemoryBandwidthBytesPerSecond / bytes;
        return new ExpertParallelServing(ep, dense, experts, kv, hardware.MemoryBytes, maxBatch, bytes, memoryBound, plan.ComputeBoundTokensPerSecond);
    }
}
