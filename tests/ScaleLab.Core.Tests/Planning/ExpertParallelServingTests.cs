using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Presets;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>
/// Expert-parallel serving of Mixtral-8x7B in fp16 on 8 H100s: 46,702,792,704 parameters, 45,097,156,608 of them in
/// experts (32 layers × 8 × 3 × 4096 × 14,336); 131,072 cache bytes per token (32 layers × 8 KV heads × 128 × 2 × 2).
/// </summary>
public class ExpertParallelServingTests
{
    private const long Parameters = 46_702_792_704, Experts = 45_097_156_608, KvPerSequence = 131_072L * 4096;

    private static ExpertParallelServing Plan(long batch, int gpus = 8)
    {
        var cost = ModelAccounting.Account(ModelPresets.Load("mixtral-8x7b"), 4096);
        var plan = ServingPlanner.Plan(cost, HardwareCatalog.H100Sxm, 4096, batch, Precision.Fp16, gpus: gpus);
        return ExpertParallelServingPlanner.For(cost, plan, HardwareCatalog.H100Sxm);
    }

    [Fact]
    public void EachGpu_HoldsTheDenseModel_OneExpertPerLayer_AndItsShareOfTheSequences()
    {
        var ep = Plan(64);
        Assert.Equal(2 * (Parameters - Experts), ep.DenseWeightBytes);
        Assert.Equal(2 * Experts / 8, ep.ExpertWeightBytes);
        Assert.Equal(8 * KvPerSequence, ep.KvBytes);                                   // 64 / 8 sequences
        Assert.Equal(8 * ((80_000_000_000 - ep.DenseWeightBytes - ep.ExpertWeightBytes) / KvPerSequence), ep.MaxBatch);
        Assert.True(ep.Fits);
    }

    [Fact]
    public void Batch1_ReadsOnlyTheExpertsItsTokenTouches()
    {
        // One token, top 2 of 8: each GPU's expert is touched with probability 2/8.
        var ep = Plan(1);
        double dense = 2.0 * (Parameters - Experts - (32_000L * 4096));
        Assert.Equal(dense + (2.0 * Experts / 8 * 0.25) + KvPerSequence, ep.BytesReadPerStep, 1.0);
    }

    [Fact]
    public void Should_Reject_An_Ep_Not_Dividing_The_Experts() =>
        Assert.Equal("--ep 3 (= --gpus) does not divide the 8 experts; each GPU holds a whole number of experts",
            Assert.Throws<PlanningException>(() => Plan(1, gpus: 3)).Message);
}
