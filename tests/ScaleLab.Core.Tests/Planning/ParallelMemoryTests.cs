using ScaleLab.Core.Planning;

namespace ScaleLab.Core.Tests.Planning;

public class ParallelMemoryTests
{
    private static readonly TrainingSetup OneSample = new(1, 1);

    [Fact]
    public void Plan_Zero1On64Gpus_MatchesTheZeroPaper()
    {
        var plan = ParallelMemory.Plan(PlanningModels.Dense(7_500_000_000), HardwareCatalog.A100Sxm80GB, new ParallelLayout(64, Zero: 1), OneSample);
        Assert.Equal(31_406_250_000, plan.TotalBytes);
        Assert.True(plan.Fits);
    }

    [Fact]
    public void Plan_AddsActivationsForTheMicroBatch_AndFp32Buffers()
    {
        var cost = PlanningModels.Dense(1000, activationElements: 50, buffers: 10);
        var plan = ParallelMemory.Plan(cost, HardwareCatalog.L4, ParallelLayout.Single, new TrainingSetup(8, 1));
        Assert.Equal(50 * 8 * 2, plan.Activations);   // bf16 activations
        Assert.Equal(40, plan.Buffers);
        Assert.Equal(16_000 + 800 + 40, plan.TotalBytes);
    }

    [Fact]
    public void Plan_ZeroOnOneGpu_ShardsNothing()
    {
        var cost = PlanningModels.Dense(7_500_000_000);
        var plan = ParallelMemory.Plan(cost, HardwareCatalog.H200, new ParallelLayout(1, Zero: 3), OneSample);
        Assert.Equal(120_000_000_000, plan.TotalBytes);
        Assert.True(plan.Fits);   // 141 GB
    }

    [Fact]
    public void ParametersPerRank_TensorParallelDividesTheStage()
    {
        var cost = PlanningModels.Transformer(PlanningModels.Gpt3, 175_000_000_000, 175_000_000_000, 2048);
        Assert.Equal(21_875_000_000, ParallelMemory.ParametersPerRank(cost, new ParallelLayout(8, TensorParallel: 8)));
    }

    [Fact]
    public void ParametersPerRank_PipelineStagesCarryLayersPlusEmbeddingOrHead()
    {
        // GPT-3 shape, untied: embedding (51,200 + 2,048 positions) × 12,288 on the first stage, the 51,200 × 12,288 head on the last.
        long embedding = (51_200L + 2048) * 12_288, head = 51_200L * 12_288;
        long blocks = 96L * 1_000_000_000;
        var spec = PlanningModels.Gpt3;
        var cost = PlanningModels.Transformer(spec, blocks + embedding + head, blocks + embedding + head, 2048);
        long perRank = ParallelMemory.ParametersPerRank(cost, new ParallelLayout(8, PipelineParallel: 8));
        Assert.Equal((12 * 1_000_000_000L) + embedding, perRank);
    }

    [Fact]
    public void Plan_TensorParallelOnALayerStack_IsRefused()
    {
        var error = Assert.Throws<PlanningException>(() =>
            ParallelMemory.Plan(PlanningModels.Dense(10), HardwareCatalog.L4, new ParallelLayout(2, TensorParallel: 2), OneSample));
        Assert.Equal("--tp and --pp are modelled for transformer specs only; a layer stack plans with data parallelism and ZeRO", error.Message);
    }

    [Fact]
    public void Plan_TensorParallelNotDividingHeads_IsRefused()
    {
        var cost = PlanningModels.Transformer(PlanningModels.Gpt3 with { Heads = 12 }, 1000, 1000, 16);
        var error = Assert.Throws<PlanningException>(() =>
            ParallelMemory.Plan(cost, HardwareCatalog.L4, new ParallelLayout(8, TensorParallel: 8), OneSample));
        Assert.Equal("--tp 8 does not divide the 12 attention heads; tensor parallelism splits whole heads", error.Message);
    }

    [Fact]
    public void Layout_GpusNotAMultipleOfModelParallel_IsRefused()
    {
        var error = Assert.Throws<PlanningException>(() => new ParallelLayout(6, TensorParallel: 4).Validated());
        Assert.Equal("--gpus 6 is not a multiple of --tp × --pp = 4; the data-parallel degree must be a whole number", error.Message);
    }

    [Fact]
    public void Layout_ZeroStage4_IsRefused()
    {
        var error = Assert.Throws<PlanningException>(() => new ParallelLayout(8, Zero: 4).Validated());
        Assert.Equal("--zero must be 0, 1, 2 or 3, got 4", error.Message);
    }

    [Fact]
    public void Layout_SequenceParallelWithoutTensorParallel_IsRefused()
    {
        var error = Assert.Throws<PlanningException>(() => new ParallelLayout(8, SequenceParallel: true).Validated());
        Assert.Equal("--sequence-parallel needs --tp of 2 or more: it splits along the tensor-parallel group", error.Message);
    }
}
