using ScaleLab.Core.Planning;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>
/// Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models", Table 2, for GPT-3 175B's
/// layer: s = 2048, b = 1, h = 12288, a = 96, so sbh = 25,165,824 and 5as²b = 2,013,265,920 bytes.
/// </summary>
public class TransformerActivationsTests
{
    private const long Sbh = 2048L * 1 * 12_288;
    private const long Scores = 5L * 96 * 2048 * 2048;

    private static long PerLayer(ParallelLayout layout, ActivationRecompute recompute = ActivationRecompute.None) =>
        TransformerActivations.Compute(PlanningModels.Gpt3, 2048, 1, layout, recompute).PerLayerBytes;

    [Fact]
    public void NoParallelism_IsSbhTimes34Plus5AsOverH() =>
        Assert.Equal((34 * Sbh) + Scores, PerLayer(ParallelLayout.Single));   // 2,868,903,936

    [Fact]
    public void TensorParallel8_Is10Plus24OverT() =>
        Assert.Equal((10 * Sbh) + (24 * Sbh / 8) + (Scores / 8), PerLayer(new ParallelLayout(8, TensorParallel: 8)));

    [Fact]
    public void TensorAndSequenceParallel8_DividesEverythingByT() =>
        Assert.Equal(((34 * Sbh) + Scores) / 8, PerLayer(new ParallelLayout(8, TensorParallel: 8, SequenceParallel: true)));

    [Fact]
    public void SelectiveRecompute_DropsTheAttentionCore() =>
        Assert.Equal(34 * Sbh / 8, PerLayer(new ParallelLayout(8, TensorParallel: 8, SequenceParallel: true), ActivationRecompute.Selective));

    [Fact]
    public void FullRecompute_KeepsOnlyTheLayerInput2Sbh() =>
        Assert.Equal(2 * Sbh, PerLayer(new ParallelLayout(8, TensorParallel: 8), ActivationRecompute.Full));

    [Fact]
    public void WholeModel_AddsEmbeddingMaskAndOutputLayer()
    {
        var bytes = TransformerActivations.Compute(PlanningModels.Gpt3, 2048, 1, ParallelLayout.Single, ActivationRecompute.None);
        Assert.Equal(Sbh, bytes.EmbeddingBytes);                                  // 1-byte dropout mask
        Assert.Equal((4 * Sbh) + (4L * 2048 * 51_200), bytes.OutputBytes);        // 4sbh(1 + v/h)
        Assert.Equal((96 * ((34 * Sbh) + Scores)) + bytes.EmbeddingBytes + bytes.OutputBytes, bytes.Total);
    }

    [Fact]
    public void Pipeline8_FirstStageHolds8MicroBatchesOfItsLayers_AboutOneModelsWorth()
    {
        // Korthikanti §4.2.3: with 1F1B the first stage's total is sbhL/t·34 (selective) plus the embedding term sbhp/t.
        var layout = new ParallelLayout(64, TensorParallel: 8, PipelineParallel: 8, SequenceParallel: true);
        var bytes = TransformerActivations.Compute(PlanningModels.Gpt3, 2048, 1, layout, ActivationRecompute.Selective);
        Assert.Equal((12, 8), (bytes.LayersPerStage, bytes.MicroBatchesInFlight));
        Assert.Equal((Sbh * 96 * 34 / 8) + (Sbh * 8 / 8), bytes.Total);
    }

    [Fact]
    public void GroupedQueryAttention_SavesTheMissingKAndVHeads()
    {
        var mha = PlanningModels.Gpt3;
        var gqa = mha with { KvHeads = 8 };
        long perLayerMha = TransformerActivations.Compute(mha, 2048, 1, ParallelLayout.Single, ActivationRecompute.None).PerLayerBytes;
        long perLayerGqa = TransformerActivations.Compute(gqa, 2048, 1, ParallelLayout.Single, ActivationRecompute.None).PerLayerBytes;
        // K and V shrink from h to 8·128 = 1024 wide, 2 bytes each.
        Assert.Equal(2 * 2 * 2048L * (12_288 - 1024), perLayerMha - perLayerGqa);
    }

    [Fact]
    public void SwiGlu_Keeps4FfnWideTensorsInsteadOf2()
    {
        var plain = PlanningModels.Gpt3;
        var gated = plain with { FeedForward = FeedForwardKind.SwiGlu };
        long difference = TransformerActivations.Compute(gated, 2048, 1, ParallelLayout.Single, ActivationRecompute.None).PerLayerBytes
            - TransformerActivations.Compute(plain, 2048, 1, ParallelLayout.Single, ActivationRecompute.None).PerLayerBytes;
        Assert.Equal(2 * 2 * 2048L * 49_152, difference);
    }

    [Fact]
    public void WithoutDropout_MasksAndDropoutOutputsAreGone()
    {
        long withDropout = TransformerActivations.Compute(PlanningModels.Gpt3, 2048, 1, ParallelLayout.Single, ActivationRecompute.None).PerLayerBytes;
        long without = TransformerActivations.Compute(PlanningModels.Gpt3, 2048, 1, ParallelLayout.Single, ActivationRecompute.None, dropout: false).PerLayerBytes;
        // Two 1-byte sbh masks, and the attention-probability mask (as²b) and dropout output (2as²b).
        Assert.Equal((2 * Sbh) + (Scores * 3 / 5), withDropout - without);
    }
}

/// <summary>Planning's activations for the current families: MLA's expanded heads and latents, routed and shared experts.</summary>
public class CurrentFamilyActivationTests
{
    [Fact]
    public void Activations_DeepSeekV2Lite_CountTheLatentsTheExpandedHeadsAndTheSharedExperts()
    {
        // One routed layer, s = 1024, b = 1, bf16, fused attention, no dropout, no recomputation, t = 1:
        // replicated: two norm inputs, the QKV and FFN inputs (4·e·s·h), router fp32 probabilities (4·s·E), dispatched
        // inputs and expert outputs (2·e·6s·h), the kv latent's norm and up-projection inputs (2·e·s·512);
        // per head: Q and K (H·192 each), V and the attention output (H·128 each), the routed FFN (6s·4·1408),
        // the two shared experts (s·4·1408·2), fp32 log-sum-exp (4·H·s).
        var t = Core.Presets.ModelPresets.Load("deepseek-v2-lite").Transformer!;
        long s = 1024, e = 2, h = 2048, rows = 6 * s, ffn = 4 * 1408;
        long replicated = (4 * e * s * h) + (4 * s * 64) + (2 * e * rows * h) + (2 * e * s * 512);
        long sharded = (e * s * 16 * 192 * 2) + (e * s * 16 * 128 * 2) + (e * rows * ffn) + (e * s * ffn * 2) + (4 * 16 * s);
        var bytes = TransformerActivations.Compute(t, s, 1, ParallelLayout.Single, ActivationRecompute.None, 2, dropout: false, attention: AttentionKernel.Flash);
        Assert.Equal(replicated + sharded, bytes.PerLayerBytes);
    }

    [Fact]
    public void Activations_Qwen3Moe_UseTheExpertWidthNotTheDenseWidth()
    {
        // Qwen3-30B-A3B routes every layer: 8 of 128 experts, 768 wide (its intermediate_size 6144 is never built).
        var t = Core.Presets.ModelPresets.Load("qwen3-30b-a3b").Transformer!;
        var narrow = TransformerActivations.Compute(t, 512, 1, ParallelLayout.Single, ActivationRecompute.None, 2, dropout: false, attention: AttentionKernel.Flash);
        var wide = TransformerActivations.Compute(t with { ExpertFfnSize = null }, 512, 1, ParallelLayout.Single, ActivationRecompute.None, 2, dropout: false, attention: AttentionKernel.Flash);
        Assert.Equal(2L * 8 * 512 * 4 * (6144 - 768), wide.PerLayerBytes - narrow.PerLayerBytes);
    }
}

public class CurrentFamilyParallelTests
{
    [Fact]
    public void ExpertParameters_DeepSeekV3_UseTheExpertWidthAndOnlyTheRoutingLayers()
    {
        // 58 routing layers over pp 16: 4 on the busiest stage; 256 experts of 3·7168·2048 split 64 ways.
        var cost = ScaleLab.Core.Accounting.ModelAccounting.Account(Core.Presets.ModelPresets.Load("deepseek-v3"), 1);
        var layout = new ParallelLayout(2048, Zero: 1, PipelineParallel: 16, ExpertParallel: 64);
        Assert.Equal(4L * 256 * 3 * 7168 * 2048 / 64, ParallelMemory.ExpertParametersPerRank(cost, layout));
        // The busiest stage: 4 of the heaviest (routed) blocks and the embedding; every rank keeps the dense parts.
        long stage = ParallelMemory.ParametersPerRank(cost, layout);
        Assert.True(stage > 0 && stage < cost.Parameters / 16, $"{stage} parameters on the busiest rank");
    }
}
