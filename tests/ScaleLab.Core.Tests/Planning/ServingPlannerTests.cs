using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;

namespace ScaleLab.Core.Tests.Planning;

public class ServingPlannerTests
{
    private const long Llama2Parameters = 6_738_415_616;
    private const long UntiedEmbedding = 32_000L * 4096;   // looked up a row at a time, never streamed whole
    private static readonly ModelCost Llama2 = PlanningModels.Transformer(PlanningModels.Llama2_7B, Llama2Parameters, Llama2Parameters, 4096);

    [Fact]
    public void Llama2_7B_Fp16At4096_Has2GiBOfCachePerSequence()
    {
        var plan = ServingPlanner.Plan(Llama2, HardwareCatalog.A100Sxm80GB, 4096, 1, Precision.Fp16);
        Assert.Equal(13_476_831_232, plan.WeightBytes);                  // 2 bytes × 6,738,415,616
        Assert.Equal(2L * 32 * 32 * 128 * 4096 * 2, plan.KvCacheBytesPerSequence);   // 2 GiB
        Assert.Equal(30, plan.MaxBatch);                                 // ⌊(80e9 − 13.48e9) / 2 GiB⌋
        Assert.True(plan.Fits);
    }

    [Fact]
    public void Llama2_7B_Batch1_IsMemoryBound_AtBandwidthOverBytesPerStep()
    {
        var plan = ServingPlanner.Plan(Llama2, HardwareCatalog.A100Sxm80GB, 4096, 1, Precision.Fp16);
        double bytes = (2.0 * (Llama2Parameters - UntiedEmbedding)) + 2_147_483_648;
        Assert.Equal(bytes, plan.BytesReadPerStep);
        Assert.Equal(2_039e9 / bytes, plan.MemoryBoundTokensPerSecond, 1e-9);     // 132.7 tokens/s
        double flops = (2.0 * (Llama2Parameters - UntiedEmbedding)) + (4.0 * 32 * 4096 * 4096);
        Assert.Equal(312e12 / flops, plan.ComputeBoundTokensPerSecond, 1e-6);     // 20,310 tokens/s
        Assert.True(plan.IsMemoryBound);
        Assert.Equal(plan.MemoryBoundTokensPerSecond, plan.TokensPerSecondUpperBound);
    }

    [Fact]
    public void Int4Weights_HalfAByteEach_MultipliedInFp16_WithAnFp16Cache()
    {
        var plan = ServingPlanner.Plan(Llama2, HardwareCatalog.Rtx4090, 4096, 1, Precision.Int4);
        Assert.Equal(Llama2Parameters / 2, plan.WeightBytes);
        Assert.Equal((ComputeFormat.Fp16, Precision.Fp16), (plan.ComputeFormat, plan.KvPrecision));
        Assert.Equal(9, plan.MaxBatch);   // ⌊(24e9 − 3.37e9) / 2 GiB⌋ = ⌊9.61⌋
    }

    [Fact]
    public void TooLargeBatch_DoesNotFit()
    {
        var plan = ServingPlanner.Plan(Llama2, HardwareCatalog.L4, 4096, 8, Precision.Bf16);
        Assert.Equal(13_476_831_232 + (8 * 2_147_483_648L), plan.TotalBytes);
        Assert.False(plan.Fits);
        Assert.Equal(4, plan.MaxBatch);
    }

    [Fact]
    public void MixtureOfExperts_Batch1ReadsOnlyTheActiveExperts_AndALargeBatchReadsThemAll()
    {
        var cost = PlanningModels.Transformer(PlanningModels.Mixtral, 46_702_792_704, 12_879_925_248, 4096);
        long embedding = 32_000L * 4096;
        var one = ServingPlanner.Plan(cost, HardwareCatalog.H100Sxm, 4096, 1, Precision.Bf16);
        Assert.Equal(2.0 * (12_879_925_248 - embedding), one.BytesReadPerStep - one.KvCacheBytes, 1.0);
        var many = ServingPlanner.Plan(cost, HardwareCatalog.H100Sxm, 4096, 1000, Precision.Bf16);
        Assert.Equal(2.0 * (46_702_792_704 - embedding), many.BytesReadPerStep - many.KvCacheBytes, 1.0);
    }

    [Fact]
    public void ZeroContext_IsRefused()
    {
        var error = Assert.Throws<PlanningException>(() => ServingPlanner.Plan(Llama2, HardwareCatalog.L4, 0, 1, Precision.Fp16));
        Assert.Equal("--context must be at least 1, got 0", error.Message);
    }
}
