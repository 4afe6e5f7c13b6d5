using ScaleLab.Core.Planning;

namespace ScaleLab.Core.Tests.Planning;

public class LayoutSearchTests
{
    private static readonly TrainingSetup OneSample = new(1, 1);

    [Fact]
    public void Smallest_7_5BOnA100_80GB_Is2GpusWithZero1()
    {
        // 1 GPU: 120 GB. 2 GPUs, ZeRO-0: 120 GB each; ZeRO-1: 30 + 90/2 = 75 GB ≤ 80 GB.
        var plan = LayoutSearch.Smallest(PlanningModels.Dense(7_500_000_000), HardwareCatalog.A100Sxm80GB, OneSample);
        Assert.NotNull(plan);
        Assert.Equal(new ParallelLayout(2, Zero: 1), plan.Layout);
        Assert.Equal(75_000_000_000, plan.TotalBytes);
    }

    [Fact]
    public void MinimumGpus_Zero0_NeverFits_BecauseEveryGpuHoldsEverything() =>
        Assert.Null(LayoutSearch.MinimumGpus(PlanningModels.Dense(7_500_000_000), HardwareCatalog.A100Sxm80GB, new ParallelLayout(1), OneSample));

    [Fact]
    public void MinimumGpus_Zero3_HalvesUntilItFits() =>
        // 120 GB / N ≤ 24 GB on an L4: N = 5, so the next power of two, 8.
        Assert.Equal(8, LayoutSearch.MinimumGpus(PlanningModels.Dense(7_500_000_000), HardwareCatalog.L4, new ParallelLayout(1, Zero: 3), OneSample));

    [Fact]
    public void Smallest_Gpt3WithCheckpointing_Is64GpusWithZero3()
    {
        // 16 bytes × 174.6 B = 2.79 TB of model state however it is split: 32 GPUs hold 87 GB each, over 80 GB; 64 hold
        // 43.6 GB each, plus 96 layer inputs of 2sbh = 4.8 GB and the output layer. Pure data parallel is preferred.
        var cost = PlanningModels.Transformer(PlanningModels.Gpt3, 174_600_000_000, 174_600_000_000, 2048);
        var setup = new TrainingSetup(1, 2048, Recompute: ActivationRecompute.Full);
        var plan = LayoutSearch.Smallest(cost, HardwareCatalog.A100Sxm80GB, setup);
        Assert.NotNull(plan);
        Assert.Equal(new ParallelLayout(64, Zero: 3), plan.Layout);
        int half = plan.Layout.Gpus / 2;
        Assert.DoesNotContain(LayoutSearch.Candidates(cost, half, false),
            layout => ParallelMemory.Plan(cost, HardwareCatalog.A100Sxm80GB, layout, setup).Fits);
    }

    [Fact]
    public void Candidates_KeepTensorParallelWithinANodeAndDividingHeads()
    {
        var cost = PlanningModels.Transformer(PlanningModels.Gpt3 with { Heads = 12 }, 1000, 1000, 16);
        var degrees = LayoutSearch.Candidates(cost, 64, false).Select(l => l.TensorParallel).Distinct().Order();
        Assert.Equal([1, 2, 4], degrees);
    }
}
