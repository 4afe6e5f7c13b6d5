using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Presets;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>
/// Training plans default to today's practice: a fused attention kernel and the model's own dropout. Hand figures for
/// Llama-3-8B (h = 4096, a = 32, 8 KV heads of 128, f = 14,336 SwiGLU, v = 128,256) at s = 8192, b = 1, bf16.
/// </summary>
public class TrainingDefaultsTests
{
    private const long S = 8192, H = 4096, A = 32, Kv = 1024, F = 14_336, V = 128_256;

    private static ModelCost Llama3 => ModelAccounting.Account(ModelPresets.Load("llama-3-8b"), S);

    /// <summary>
    /// Per layer with FlashAttention and no dropout: norm inputs 2·2sh, QKV input 2sh, FFN input 2sh (8sh); Q and K
    /// 2s(h + kv), V 2s·kv, attention output 2sh, SwiGLU's four f-wide tensors 4·2sf; the fp32 log-sum-exp 4as.
    /// </summary>
    private const long FlashLayer = (8 * S * H) + (2 * S * (H + Kv)) + (2 * S * Kv) + (2 * S * H) + (4 * 2 * S * F) + (4 * A * S);

    [Fact]
    public void Flash_Llama3_8B_Layer_Is1376780288Bytes()
    {
        var bytes = TransformerActivations.Compute(Llama3.Spec.Transformer!, S, 1, ParallelLayout.Single, ActivationRecompute.None,
            dropout: false, attention: AttentionKernel.Flash);
        Assert.Equal(1_376_780_288, FlashLayer);
        Assert.Equal(FlashLayer, bytes.PerLayerBytes);
        Assert.Equal(0, bytes.EmbeddingBytes);                               // no embedding dropout mask
        Assert.Equal((2 * 2 * S * H) + (4 * S * V), bytes.OutputBytes);      // final norm and head inputs, fp32 logits
    }

    [Fact]
    public void Flash_KeepsNoAttentionDropoutMask_EagerKeepsMaskAndOutput()
    {
        var m = PlanningModels.Gpt3;
        long flashWith = TransformerActivations.Compute(m, 2048, 1, ParallelLayout.Single, ActivationRecompute.None, attention: AttentionKernel.Flash).PerLayerBytes;
        long flashWithout = TransformerActivations.Compute(m, 2048, 1, ParallelLayout.Single, ActivationRecompute.None, dropout: true,
            attention: AttentionKernel.Flash, attentionDropout: false).PerLayerBytes;
        Assert.Equal(flashWithout, flashWith);
        long eager = TransformerActivations.Compute(m, 2048, 1, ParallelLayout.Single, ActivationRecompute.None).PerLayerBytes;
        // Korthikanti's 5as²b is replaced by the 4as-byte log-sum-exp.
        Assert.Equal((5L * 96 * 2048 * 2048) - (4L * 96 * 2048), eager - flashWith);
    }

    [Fact]
    public void Readme_Llama3_8BOn64H100sWithZero3_FitsWithTheDefaults()
    {
        // The README's example: 46.94 GiB per GPU; with eager attention it would need 174.91 GiB.
        var setup = new TrainingSetup(1, S);
        var plan = TrainingPlanner.Plan(Llama3, HardwareCatalog.H100Sxm, new ParallelLayout(64, Zero: 3), setup);
        long state = 8_030_261_248L * 16 / 64;   // (2 + 2 + 12) bytes × Ψ / N_d
        long activations = (32 * FlashLayer) + (2 * 2 * S * H) + (4 * S * V);
        Assert.Equal(activations, plan.Memory.Activations);
        Assert.Equal(state + activations, plan.Memory.TotalBytes);
        Assert.True(plan.Memory.Fits);
        Assert.Empty(plan.FitChanges);
    }

    [Fact]
    public void Eager_Llama3_8B_DoesNotFit_AndFlashIsTheCheapestChange()
    {
        var setup = new TrainingSetup(1, S, Attention: AttentionKernel.Eager);
        var plan = TrainingPlanner.Plan(Llama3, HardwareCatalog.H100Sxm, new ParallelLayout(64, Zero: 3), setup);
        Assert.False(plan.Memory.Fits);
        Assert.Equal(["--attention flash", "--recompute selective", "--tp 4", "--cp 4", "--recompute full"], plan.FitChanges.Select(c => c.Change));
        Assert.All(plan.FitChanges, c => Assert.True(c.Memory.Fits));
        Assert.Equal(TrainingPlanner.Plan(Llama3, HardwareCatalog.H100Sxm, new ParallelLayout(64, Zero: 3), new TrainingSetup(1, S)).Memory.TotalBytes,
            plan.FitChanges[0].Memory.TotalBytes);
    }

    [Fact]
    public void FitChanges_DenseModel_RanksZeroBeforeMoreGpus()
    {
        // 7.5 B parameters on 4 L4s with ZeRO-3: 16 B × 7.5 G / 4 = 30 GB > 24 GB. ZeRO is already at 3, the micro-batch at 1,
        // and a layer stack takes no tp or pp: only more GPUs help, 8 of them at 15 GB each.
        var plan = TrainingPlanner.Plan(PlanningModels.Dense(7_500_000_000), HardwareCatalog.L4, new ParallelLayout(4, Zero: 3), new TrainingSetup(1, 1));
        Assert.Equal(["--gpus 8"], plan.FitChanges.Select(c => c.Change));
        Assert.Equal(15_000_000_000, plan.FitChanges[0].Memory.TotalBytes);   // 120 GB / 8
    }

    [Theory]
    [InlineData("llama-3-8b", false, 0.0)]
    [InlineData("mixtral-8x7b", false, 0.0)]
    [InlineData("gpt2-small", true, 0.1)]
    [InlineData("bert-base-uncased", true, 0.1)]
    public void Dropout_FollowsThePreset(string preset, bool masks, double rate)
    {
        var d = TrainingDropout.For(ModelPresets.Load(preset).Transformer, null);
        Assert.Equal((masks, masks, rate, rate), (d.Hidden, d.Attention, d.HiddenRate, d.AttentionRate));
    }

    [Fact]
    public void Dropout_UnstatedIsGpt2sTenPercent_AndNoDropoutOverridesIt()
    {
        var unstated = PlanningModels.Gpt3;
        Assert.Equal(new TrainingDropout(true, true, 0.1, 0.1), TrainingDropout.For(unstated, null));
        Assert.Equal(new TrainingDropout(false, false, 0, 0), TrainingDropout.For(unstated, false));
        Assert.Equal(new TrainingDropout(false, true, 0, 0.1), TrainingDropout.For(unstated with { Dropout = 0, AttentionDropout = 0.1 }, null));
    }

    [Fact]
    public void Gpt2_DefaultsAreUnchanged_ByTheFlashDefault_WhenEagerIsAsked()
    {
        // GPT-2's preset states dropout 0.1, so eager attention reproduces the earlier (dropout kept) figure exactly.
        var cost = ModelAccounting.Account(ModelPresets.Load("gpt2-small"), 1024);
        var m = cost.Spec.Transformer!;
        long before = TransformerActivations.Compute(m, 1024, 1, ParallelLayout.Single, ActivationRecompute.None).Total;
        var plan = ParallelMemory.Plan(cost, HardwareCatalog.A100Sxm80GB, ParallelLayout.Single, new TrainingSetup(1, 1024, Attention: AttentionKernel.Eager));
        Assert.Equal(before, plan.Activations);
    }

    [Fact]
    public void Assumptions_StateTheKernelTheDropoutAndTheLogits()
    {
        var plan = TrainingPlanner.Plan(Llama3, HardwareCatalog.H100Sxm, new ParallelLayout(64, Zero: 3), new TrainingSetup(1, S));
        Assert.Equal(
        [
            "attention flash: fused kernel, no s×s scores kept; fp32 log-sum-exp per head and token (--attention eager keeps them)",
            "dropout none (from the model): no masks kept",
            "activations 16-bit; logits fp32 (4 B × s × vocab 128,256, often the largest tensor)",
        ], plan.Assumptions);
    }

    [Fact]
    public void Should_Reject_An_Unknown_Attention_Kernel() =>
        Assert.Equal("--attention 'sparse': unknown; valid: flash (fused attention, the default), eager (scores kept)",
            Assert.Throws<PlanningException>(() => AttentionKernelInfo.Parse("sparse")).Message);
}

public class FitChangesCombinationTests
{
    [Fact]
    public void Zero0_ThatNoGpuCountFits_SuggestsZero3OnTheFewestGpus()
    {
        // 7.5 B parameters on A100 80 GB: ZeRO-0 keeps 120 GB everywhere; ZeRO-3 needs 120 GB / N ≤ 80 GB → 2 GPUs.
        var plan = TrainingPlanner.Plan(PlanningModels.Dense(7_500_000_000), HardwareCatalog.A100Sxm80GB, new ParallelLayout(1), new TrainingSetup(1, 1));
        Assert.Null(plan.MinimumGpus);
        var last = plan.FitChanges[^1];
        Assert.Equal("--zero 3 --gpus 2", last.Change);
        Assert.Equal(60_000_000_000, last.Memory.TotalBytes);
    }
}

/// <summary>
/// fp8 training recipes' model state per parameter, as the MS-AMP chart in Hugging Face Accelerate's "Low precision
/// training methods" lists them (weights, master weights, gradients, optimizer moments) and as Megatron-Core with
/// Transformer Engine keeps them (bf16 weights and gradients, fp32 main weights and Adam).
/// </summary>
public class Fp8RecipeTests
{
    [Theory]
    [InlineData(Fp8Recipe.TransformerEngine, 2, 2, 4, 8)]
    [InlineData(Fp8Recipe.MsAmpO1, 2, 1, 0, 8)]   // fp16 weights, fp8 gradients, fp32 + fp32 moments
    [InlineData(Fp8Recipe.MsAmpO2, 2, 1, 0, 3)]   // fp8 + fp16 moments
    [InlineData(Fp8Recipe.MsAmpO3, 1, 1, 2, 3)]   // fp8 weights, fp16 master weights
    public void Fp8Recipe_ModelStateBytesPerParameter(Fp8Recipe recipe, int weights, int gradients, int master, int optimizer)
    {
        var state = TrainingState.For(ComputeFormat.Fp8, OptimizerKind.Adam, recipe);
        Assert.Equal((weights, gradients, master, optimizer), (state.WeightBytes, state.GradientBytes, state.MasterWeightBytes, state.OptimizerBytes));
    }

    [Fact]
    public void Should_Reject_An_MsAmp_Recipe_Without_Fp8() =>
        Assert.Equal("--fp8-recipe msamp-o2 needs --precision fp8, got bf16",
            Assert.Throws<PlanningException>(() => TrainingState.For(ComputeFormat.Bf16, OptimizerKind.Adam, Fp8Recipe.MsAmpO2)).Message);

    [Fact]
    public void Should_Reject_An_MsAmp_Recipe_With_Sgd() =>
        Assert.Equal("--fp8-recipe msamp-o1 keeps Adam's moments in its own formats; use --optimizer adam or adamw, got sgd",
            Assert.Throws<PlanningException>(() => TrainingState.For(ComputeFormat.Fp8, OptimizerKind.Sgd, Fp8Recipe.MsAmpO1)).Message);
}
