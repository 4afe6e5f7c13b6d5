using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Presets;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>
/// Prefill and decode apart, and the paged KV cache, for Llama-2-7B in fp16 on an A100 80 GB (312 TFLOP/s, 2,039 GB/s):
/// 6,738,415,616 parameters of which the 32,000 × 4096 input embedding is looked up, not multiplied; 524,288 cache
/// bytes per token.
/// </summary>
public class ServingPhasesTests
{
    private const long Parameters = 6_738_415_616, Embedding = 32_000L * 4096, KvPerToken = 524_288;

    private static ModelCost Llama2(long context) => ModelAccounting.Account(ModelPresets.Load("llama-2-7b"), context);

    private static ServingPhases Phases(long context, long batch, long? prompt = null)
    {
        var cost = Llama2(context);
        var plan = ServingPlanner.Plan(cost, HardwareCatalog.A100Sxm80GB, context, batch, Precision.Fp16);
        return ServingPhasesPlanner.For(cost, plan, prompt);
    }

    [Fact]
    public void Prefill_4096Tokens_IsComputeBound_At187Milliseconds()
    {
        var p = Phases(4096, 1);
        double flops = (2.0 * (Parameters - Embedding) * 4096) + (2.0 * 32 * 4096 * 4097 * 4096);   // weights + causal QKᵀ, AV: P(P+1)/2 pairs × 2·d_attn MACs × 2 FLOPs, per layer
        Assert.Equal(flops, p.PrefillFlops);
        Assert.Equal((2.0 * (Parameters - Embedding)) + (4096.0 * KvPerToken), p.PrefillBytes);
        Assert.Equal(flops / 312e12, p.TimeToFirstTokenSeconds, 1e-12);    // 0.1876 s
        Assert.True(p.PrefillIsComputeBound);
    }

    [Fact]
    public void Prefill_ShortPromptAtBatch1_IsBandwidthBound()
    {
        var p = Phases(4096, 1, prompt: 16);
        Assert.False(p.PrefillIsComputeBound);   // 16 tokens cannot amortise reading 13 GB of weights
        Assert.Equal(p.PrefillMemorySeconds, p.TimeToFirstTokenSeconds);
    }

    [Fact]
    public void Decode_PerSequence_IsTheAggregateOverTheBatch()
    {
        var p = Phases(4096, 8);
        Assert.Equal(p.DecodeTokensPerSecond / 8, p.DecodeTokensPerSecondPerSequence);
    }

    [Fact]
    public void PagedCache_WastesOnlyTheLastBlocksTail()
    {
        var exact = Phases(4096, 1);
        Assert.Equal((256, 0L), (exact.BlocksPerSequence, exact.WasteBytesPerSequence));
        Assert.Equal(30, exact.MaxConcurrentSequences);                       // ⌊(80e9 − 13.48e9) / 2 GiB⌋
        var ragged = Phases(4001, 1);
        Assert.Equal(251, ragged.BlocksPerSequence);                          // ⌈4001 / 16⌉
        Assert.Equal(15 * KvPerToken, ragged.WasteBytesPerSequence);          // 4016 − 4001 slots unused
        Assert.Equal(251L * 16 * KvPerToken, ragged.PagedBytesPerSequence);
    }

    [Fact]
    public void Should_Reject_A_Prompt_Longer_Than_The_Context() =>
        Assert.Equal("--prompt 5000: it must be from 1 to the context, 4096",
            Assert.Throws<PlanningException>(() => Phases(4096, 1, prompt: 5000)).Message);
}
