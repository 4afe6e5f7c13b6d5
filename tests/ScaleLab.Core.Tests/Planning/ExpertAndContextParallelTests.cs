using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Presets;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>
/// Expert parallelism (E/ep experts per rank, state sharded over dp × cp / ep) and context parallelism (s/cp tokens per
/// rank), on Mixtral-8x7B (46,702,792,704 parameters; 32 layers × 8 experts × 3 × 4096 × 14,336 = 45,097,156,608 in
/// experts) and Llama-3-8B.
/// </summary>
public class ExpertAndContextParallelTests
{
    private const long MixtralParameters = 46_702_792_704, MixtralExperts = 32L * 8 * 3 * 4096 * 14_336;

    private static ModelCost Mixtral => ModelAccounting.Account(ModelPresets.Load("mixtral-8x7b"), 4096);

    private static ModelCost Llama3 => ModelAccounting.Account(ModelPresets.Load("llama-3-8b"), 8192);

    [Fact]
    public void Mixtral_ExpertsHold45_1BParameters() =>
        Assert.Equal(MixtralExperts, ParallelMemory.ExpertParametersPerRank(Mixtral, new ParallelLayout(1)));

    [Fact]
    public void ExpertParallel8_KeepsOneExpertPerLayerPerRank()
    {
        var layout = new ParallelLayout(8, Zero: 0, ExpertParallel: 8);
        Assert.Equal(MixtralParameters - MixtralExperts + (MixtralExperts / 8), ParallelMemory.ParametersPerRank(Mixtral, layout));
    }

    [Fact]
    public void ExpertParallel_Zero1_ShardsExpertStateOverTheRanksHoldingTheSameExperts()
    {
        // 16 GPUs, ep 8: dense state sharded 16 ways, expert state 16 / 8 = 2 ways (K = 12: master 4 + Adam 8).
        var plan = ParallelMemory.Plan(Mixtral, HardwareCatalog.H100Sxm, new ParallelLayout(16, Zero: 1, ExpertParallel: 8), new TrainingSetup(1, 4096));
        long dense = MixtralParameters - MixtralExperts, experts = MixtralExperts / 8;
        Assert.Equal(2 * (dense + experts), plan.ModelState.Weights);
        Assert.Equal(((4 * dense) + 15) / 16 + ((4 * experts) + 1) / 2, plan.ModelState.MasterWeights);
        Assert.Equal(((8 * dense) + 15) / 16 + ((8 * experts) + 1) / 2, plan.ModelState.OptimizerState);
    }

    [Fact]
    public void ContextParallel4_QuartersEveryTokenTensor_WithFlashAttention()
    {
        var setup = new TrainingSetup(1, 8192);
        var whole = ParallelMemory.Plan(Llama3, HardwareCatalog.H100Sxm, new ParallelLayout(4, Zero: 3), setup);
        var split = ParallelMemory.Plan(Llama3, HardwareCatalog.H100Sxm, new ParallelLayout(4, Zero: 3, ContextParallel: 4), setup);
        var one = TransformerActivations.Compute(Llama3.Spec.Transformer!, 2048, 1, ParallelLayout.Single, ActivationRecompute.None,
            dropout: false, attention: AttentionKernel.Flash);
        Assert.Equal(one.Total, split.Activations);                   // a rank with 8192/4 tokens keeps what a 2048-token run keeps
        Assert.True(split.Activations * 3 < whole.Activations);
        Assert.Equal(whole.ModelState, split.ModelState);             // ZeRO shards over dp × cp: the same 4 ranks
    }

    [Fact]
    public void ContextParallel_Eager_KeepsThisRanksQueriesAgainstEveryKey()
    {
        var m = PlanningModels.Gpt3;
        long cp2 = TransformerActivations.Compute(m, 2048, 1, new ParallelLayout(2, ContextParallel: 2), ActivationRecompute.None).PerLayerBytes;
        long sbh = 1024L * 12_288;
        Assert.Equal((34 * sbh) + (5L * 96 * 1024 * 2048), cp2);      // 34·(s/2)·b·h + 5·a·(s/2)·s·b
    }

    [Fact]
    public void LayoutSearch_Mixtral_UsesExpertParallelism_WhenItSavesGpus()
    {
        var plan = LayoutSearch.Smallest(Mixtral, HardwareCatalog.H100Sxm, new TrainingSetup(1, 4096));
        Assert.NotNull(plan);
        Assert.True(plan.Fits);
        Assert.Contains(LayoutSearch.Candidates(Mixtral, 16, false, 4096), l => l.ExpertParallel == 8);
        Assert.Contains(LayoutSearch.Candidates(Llama3, 16, false, 8192), l => l.ContextParallel == 8);
    }

    [Theory]
    [InlineData(8, 1, 3, 1, "--ep 3 does not divide the 8 data- and context-parallel ranks it is carved from (--gpus / (--tp × --pp))")]
    [InlineData(8, 1, 1, 3, "--gpus 8 is not a multiple of --tp × --pp × --cp = 3; the data-parallel degree must be a whole number")]
    public void Should_Reject_Impossible_Layouts(int gpus, int tp, int ep, int cp, string message) =>
        Assert.Equal(message, Assert.Throws<PlanningException>(() => new ParallelLayout(gpus, 0, tp, 1, false, ep, cp).Validated()).Message);

    [Fact]
    public void Should_Reject_ExpertParallel_On_A_Dense_Model() =>
        Assert.Equal("--ep 2 needs a mixture of experts; this model is dense",
            Assert.Throws<PlanningException>(() => ParallelMemory.Plan(Llama3, HardwareCatalog.H100Sxm, new ParallelLayout(2, ExpertParallel: 2), new TrainingSetup(1, 8192))).Message);

    [Fact]
    public void Should_Reject_ContextParallel_Not_Dividing_The_Sequence() =>
        Assert.Equal("--cp 4 does not divide --seq 1001; each rank holds an equal share of the tokens",
            Assert.Throws<PlanningException>(() => ParallelMemory.Plan(Llama3, HardwareCatalog.H100Sxm, new ParallelLayout(4, ContextParallel: 4), new TrainingSetup(1, 1001))).Message);
}

/// <summary>What a mixture of experts keeps beyond a dense layer of the same shape: Mixtral (E = 8, k = 2, h = 4096, f = 14,336) at s = 4096.</summary>
public class MixtureOfExpertsActivationsTests
{
    private const long Sb = 4096, H = 4096, F = 14_336;

    private static long Layer(ScaleLab.Core.Spec.TransformerSpec m, double capacity = 1) =>
        TransformerActivations.Compute(m, Sb, 1, ParallelLayout.Single, ActivationRecompute.None, dropout: false,
            attention: AttentionKernel.Flash, capacityFactor: capacity).PerLayerBytes;

    [Fact]
    public void Mixtral_KeepsRouterProbabilities_DispatchedInputs_ExpertOutputs_AndKCopiesOfTheFfn()
    {
        var moe = PlanningModels.Mixtral;
        var dense = moe with { Experts = 0, TopK = 1 };
        long extra = (4 * Sb * 8)                 // fp32 router probabilities
            + (2 * 2 * Sb * 2 * H)                // dispatched inputs and expert outputs, k = 2 copies, bf16
            + (2 * (2 - 1) * Sb * 4 * F);         // the second expert's four SwiGLU tensors
        Assert.Equal(extra, Layer(moe) - Layer(dense));
    }

    [Fact]
    public void CapacityFactor_PadsEveryExpertsBuffer()
    {
        long routed = (long)Math.Ceiling(1.25 * 2 * Sb);
        long difference = Layer(PlanningModels.Mixtral, 1.25) - Layer(PlanningModels.Mixtral);
        Assert.Equal((routed - (2 * Sb)) * ((2 * 2 * H) + (2 * 4 * F)), difference);
    }

    [Fact]
    public void Should_Reject_A_Capacity_Factor_Below_One() =>
        Assert.Equal("--capacity-factor 0.5: it must be at least 1 (1 is dropless routing; 1.25 is GShard's and Switch's)",
            Assert.Throws<PlanningException>(() => Layer(PlanningModels.Mixtral, 0.5)).Message);
}
