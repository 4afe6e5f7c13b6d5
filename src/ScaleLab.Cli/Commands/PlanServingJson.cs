using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;

namespace ScaleLab.Cli.Commands;

/// <summary>`plan MODEL --serve --json` (mode "serve"): the <see cref="ServingPlan"/> and its phases, as plan.schema.json lists them.</summary>
internal sealed record PlanServingJson(
    string Schema, string Mode, PlanModel Model, PlanHardwareJson Hardware, PlanServingSetup Setup, PlanServingMemory Memory, bool Fits, long? MaxBatch,
    string Verdict, PlanThroughput Throughput, PlanPrefill Prefill, PlanPagedKv PagedKv, PlanExpertParallel? ExpertParallel)
{
    public static PlanServingJson From(ModelCost cost, HardwareProfile hardware, ServingPlan plan, ServingPhases phases, ExpertParallelServing? expertParallel)
    {
        var p = phases;
        return new PlanServingJson(PlanJson.Schema, "serve", PlanModel.From(cost), PlanHardwareJson.From(hardware),
            new PlanServingSetup(plan.Gpus, plan.Context, plan.Batch, plan.WeightFormatName, plan.KvFormatName, plan.ComputeFormat.Name()),
            PlanServingMemory.From(cost, plan), plan.Fits, plan.MaxBatch, ServingPlanner.Verdict(plan, hardware),
            new PlanThroughput(plan.BytesReadPerStep, plan.FlopsPerToken, plan.MemoryBoundTokensPerSecond, plan.ComputeBoundTokensPerSecond,
                plan.TokensPerSecondUpperBound, plan.IsMemoryBound ? "memory" : "compute", p.DecodeTokensPerSecondPerSequence),
            new PlanPrefill(p.PromptTokens, p.PrefillFlops, p.PrefillBytes, p.PrefillComputeSeconds, p.PrefillMemorySeconds, p.TimeToFirstTokenSeconds,
                p.PrefillTokensPerSecond, p.PrefillIsComputeBound ? "compute" : "memory"),
            new PlanPagedKv(p.BlockTokens, p.BlocksPerSequence, p.PagedBytesPerSequence, p.WasteBytesPerSequence, p.MaxConcurrentSequences),
            expertParallel is { } ep ? new PlanExpertParallel(ep.Gpus, ep.DenseWeightBytes, ep.ExpertWeightBytes, ep.KvBytes, ep.TotalBytes,
                ep.CapacityBytes, ep.Fits, ep.MaxBatch, ep.BytesReadPerStep, ep.MemoryBoundTokensPerSecond, ep.TokensPerSecondUpperBound) : null);
    }
}

internal sealed record PlanServingSetup(int Gpus, long Context, long Batch, string Precision, string KvPrecision, string ComputeFormat);

internal sealed record PlanServingMemory(long WeightsBytes, double WeightsBitsPerParameter, IReadOnlyList<PlanWeightFormat>? WeightFormats,
    long KvCacheBytesPerSequence, long KvCacheBytes, IReadOnlyList<KvCacheGroupBytes> KvCacheByLayerKind, long TotalBytes, long CapacityBytes)
{
    public static PlanServingMemory From(ModelCost cost, ServingPlan plan) => new(plan.WeightBytes, 8.0 * plan.WeightBytes / cost.Parameters,
        plan.Formats?.Weights is { } stored ? [.. stored.Mix.Select(x => new PlanWeightFormat(x.Format, x.Parameters, x.Bytes))] : null,
        plan.KvCacheBytesPerSequence, plan.KvCacheBytes, KvGroups(cost, plan), plan.TotalBytes, plan.CapacityBytes);

    /// <summary>The KV cache by kind of layer (global, sliding window W, chunked C, latent (MLA)), each group's share of kv_cache_bytes.</summary>
    private static IReadOnlyList<KvCacheGroupBytes> KvGroups(ModelCost cost, ServingPlan plan)
    {
        if (cost.Spec.Transformer is not { Kind: Core.Spec.TransformerKind.Decoder } t || plan.KvCacheBytes == 0) return [];
        var kv = KvCache.For(t, plan.Context);
        return [.. kv.Groups.Select(g => new KvCacheGroupBytes(g.Kind, g.Layers, g.ElementsPerToken, g.CachedTokens, kv.ShareOf(g, plan.KvCacheBytes)))];
    }
}

internal sealed record PlanWeightFormat(string Format, long Parameters, long Bytes);

internal sealed record PlanThroughput(double BytesReadPerStep, double FlopsPerToken, double MemoryBoundTokensPerSecond, double ComputeBoundTokensPerSecond,
    double TokensPerSecondUpperBound, string Bound, double TokensPerSecondPerSequence);

internal sealed record PlanPrefill(long PromptTokens, double Flops, double Bytes, double ComputeBoundSeconds, double MemoryBoundSeconds,
    double TimeToFirstTokenSeconds, double PromptTokensPerSecond, string Bound);

internal sealed record PlanPagedKv(int BlockTokens, long BlocksPerSequence, long BytesPerSequence, long WasteBytesPerSequence, long? MaxSequences);

internal sealed record PlanExpertParallel(int Gpus, long DenseWeightsBytes, long ExpertWeightsBytes, long KvCacheBytes, long TotalBytes, long CapacityBytes,
    bool Fits, long? MaxBatch, double BytesReadPerStep, double MemoryBoundTokensPerSecond, double TokensPerSecondUpperBound);
