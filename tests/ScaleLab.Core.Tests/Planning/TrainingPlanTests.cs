using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;

namespace ScaleLab.Core.Tests.Planning;

public class TrainingPlanTests
{
    private static readonly TrainingSetup OneSample = new(1, 1);

    [Fact]
    public void Verdict_Fits_SaysWhereAndHowMuch()
    {
        var plan = TrainingPlanner.Plan(PlanningModels.Dense(7_500_000_000), HardwareCatalog.A100Sxm80GB, new ParallelLayout(64, Zero: 1), OneSample);
        Assert.Equal("fits on a100-80gb with 64 GPUs: uses 29.25 GiB of 74.51 GiB per GPU", plan.Verdict);
    }

    [Fact]
    public void Verdict_DoesNotFit_GivesTheGpusItNeeds()
    {
        var plan = TrainingPlanner.Plan(PlanningModels.Dense(7_500_000_000), HardwareCatalog.L4, new ParallelLayout(4, Zero: 3), OneSample);
        Assert.False(plan.Memory.Fits);
        Assert.Equal(8, plan.MinimumGpus);
        Assert.Equal("does not fit on l4 with 4 GPUs: needs 27.94 GiB per GPU, has 22.35 GiB; with ZeRO-3, tp 1, pp 1 it needs at least 8 GPUs", plan.Verdict);
    }

    [Fact]
    public void Verdict_Zero0NeverFits_NamesWhatCannotBeSharded()
    {
        var plan = TrainingPlanner.Plan(PlanningModels.Dense(7_500_000_000), HardwareCatalog.A100Sxm80GB, new ParallelLayout(8), OneSample);
        Assert.Null(plan.MinimumGpus);
        Assert.Equal(120_000_000_000, plan.UnshardedBytes);
        Assert.EndsWith("no number of GPUs makes ZeRO-0, tp 1, pp 1 fit: what ZeRO-0 does not shard (all model state, activations) already needs 111.76 GiB per GPU", plan.Verdict, StringComparison.Ordinal);
        Assert.Equal(new ParallelLayout(2, Zero: 1), plan.Smallest!.Layout);
    }

    [Fact]
    public void Plan_WithTokens_AddsTimeOnTheLayoutsGpus()
    {
        var plan = TrainingPlanner.Plan(PlanningModels.Dense(1_000_000), HardwareCatalog.H100Sxm, new ParallelLayout(4), OneSample, tokens: 1e9);
        Assert.Equal(4, plan.Compute!.Gpus);
        Assert.Equal(6e15, plan.Compute.ExactFlops, 1.0);
    }

    [Fact]
    public void ServingVerdict_TooLargeBatch_NeedsMoreGpus()
    {
        var cost = PlanningModels.Transformer(PlanningModels.Llama2_7B, 6_738_415_616, 6_738_415_616, 4096);
        var plan = ServingPlanner.Plan(cost, HardwareCatalog.L4, 4096, 16, Precision.Int4);
        Assert.Equal("does not fit on l4 with 1 GPU: needs 35.14 GiB, has 22.35 GiB; at most 9 sequences of 4096 tokens fit; needs at least 2 GPUs for batch 16",
            ServingPlanner.Verdict(plan, HardwareCatalog.L4));
    }
}
