using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;
using ScaleLab.Core.Verification;

namespace ScaleLab.Core.Tests.Accounting;

/// <summary>
/// What libtorch keeps for backward, tensor by tensor, and the step peak walked from the tape. Each "measured" figure
/// quoted below comes from the RSS probe of docs/verify.md on the 2-core build machine (glibc pinned, tiered JIT off):
/// kept-for-backward is the resident growth from the start of forward to its end, divided by the batch.
/// </summary>
public class StepMemoryTests
{
    private static ModelCost Cost(string preset) => ModelAccounting.Account(ModelPresets.Load(preset));

    private static ModelCost Suite(string name) => ModelAccounting.Account(VerifySuite.Models.Single(m => m.Name == name).Spec);

    [Fact]
    public void KerasCnn_KeepsItsReluOutputsPoolIndicesAndPoolOutputs()
    {
        // relu1 32×26×26 fp32, pool1 int64 indices and output 32×13×13, relu2 64×11×11, pool2 indices and output
        // 64×5×5, relu3 64×3×3, the dense ReLU 64, the logits 10 the loop holds and log_softmax's 10: the pre-activation
        // conv outputs are released (ReLU saves its result). Measured: 204,016 to 206,528 B per sample.
        long expected = (21_632 * 4) + (5_408 * 8) + (5_408 * 4) + (7_744 * 4) + (1_600 * 8) + (1_600 * 4) + (576 * 4) + (64 * 4) + (10 * 4) + (10 * 4);
        var memory = StepMemory.Estimate(Cost("keras-mnist-cnn"), batch: 1);
        Assert.Equal(204_240, expected);
        Assert.Equal(expected, memory.KeptBytes);
    }

    [Fact]
    public void SeedMlp_KeepsEachReluOutputOnce()
    {
        // ReLU saves its output and the next linear saves the same tensor as its input: counted once. The first linear's
        // input is the batch itself. relu 1000 + relu 500 + logits 250 (held) + log_softmax 250. Measured: 8,064–8,240 B.
        Assert.Equal((1_000 + 500 + 250 + 250) * 4, StepMemory.Estimate(Cost("mlp-784-1000-500-250"), batch: 1).KeptBytes);
    }

    [Fact]
    public void SeedMlp_ModelStateIsSixteenBytesPerParameterWithAdam()
    {
        var memory = StepMemory.Estimate(Cost("mlp-784-1000-500-250"), batch: 64);
        Assert.Equal(16L * 1_410_750, memory.ModelStateBytes);   // weights, gradients, exp_avg, exp_avg_sq
        Assert.Equal(64L * 784 * 4, memory.InputBytes - (64L * 8));   // the images and the int64 class ids
    }

    [Fact]
    public void SeedMlp_OptimizerStepNeedsOneTemporaryOfTheLargestTensor()
    {
        // ScaleLab's Adam updates tensor by tensor in its own scope: one √v temporary of layers.0.weight (1000×784).
        var memory = StepMemory.Estimate(Cost("mlp-784-1000-500-250"), batch: 1);
        Assert.Equal((1_000 * 784 * 4) + memory.KeptBytes - ((1_000 + 500 + 250) * 4), memory.OptimizerPeakBytes);
    }

    [Fact]
    public void CharGpt_KeepsEightWidthsAndTwoFfnWidthsPerTokenAndLayer()
    {
        // Per token and block (E = 128, f = 512, H = 4): LN1 output, Q, K, V, the flash-attention output, the first
        // residual sum, LN2 output, the GELU input and output, the block output — 8E + 2f fp32 — plus LN mean/rstd
        // (2 × 8 B) and the fp32 logsumexp per head (4H B). Flash attention keeps no S×S matrix. Around the blocks:
        // the embedding sum, the final LN's output and statistics, the logits (V = 74, held) and log_softmax.
        const long S = 128, E = 128, F = 512, H = 4, V = 74, Layers = 4;
        long perBlock = S * (((8 * E) + (2 * F)) * 4 + 16 + (4 * H));
        long around = S * ((E * 4) + 8 + (E * 4) + (V * 4) + (V * 4));
        var memory = StepMemory.Estimate(Suite("char-gpt"), batch: 1);
        Assert.Equal((Layers * perBlock) + around, memory.KeptBytes);
        Assert.Equal(4_418_560, memory.KeptBytes);   // measured: 4,412,416–4,455,424 B per sequence
    }

    [Fact]
    public void LstmClassifier_KeepsOneDnnsWorkspacePerStep()
    {
        // 28 steps × (input 28 + 4 gates + h + c of 128) fp32, then h_n for the head (128), the logits and log_softmax (10 each).
        long expected = (28 * (28 + (6 * 128)) * 4) + (128 * 4) + (10 * 4) + (10 * 4);
        Assert.Equal(expected, StepMemory.Estimate(Suite("lstm-classifier"), batch: 1).KeptBytes);   // measured: 87,552–93,504 B
    }

    [Fact]
    public void Estimate_PeakIsTheWorstPhaseOnTopOfStateAndInput()
    {
        var memory = StepMemory.Estimate(Cost("keras-mnist-cnn"), batch: 256);
        Assert.Equal(StepPhase.Backward, memory.PeakPhase);
        Assert.Equal(memory.ModelStateBytes + memory.InputBytes + memory.BackwardPeakBytes, memory.PeakBytes);
        Assert.True(memory.BackwardPeakBytes > memory.KeptBytes);
    }

    [Fact]
    public void Simulator_TwoNodeChain_FreesTheUnsavedIntermediateAndAddsGradients()
    {
        // x → a = linear(x) (saves x; x is the batch, not counted) → b = relu(a) (saves b) ; loss holds b.
        var tape = new AutogradTape();
        int x = tape.Input("x", 100);
        int a = tape.Node("l", "linear", [x], 40, [x], parameterGradientBytes: 1_000);
        int b = tape.Node("r", "relu", [a], 40, [AutogradTape.Self]);
        tape.Hold(b);
        var m = StepMemoryEstimator.Estimate(tape, batch: 10, modelStateBytes: 5_000, optimizerTransientBytes: 300);
        Assert.Equal(1_000, m.InputBytes);
        Assert.Equal(400, m.KeptBytes);              // a is freed once relu has read it
        Assert.Equal(800, m.ForwardPeakBytes);       // a and b both alive while relu runs
        // relu's backward: b (saved, held) + its new input gradient (400); linear's: b + grad a (400) + weight grad (1,000).
        Assert.Equal(400 + 400 + 1_000, m.BackwardPeakBytes);
        Assert.Equal(400 + 300, m.OptimizerPeakBytes);
        Assert.Equal(5_000 + 1_000 + 1_800, m.PeakBytes);
    }

    [Theory]
    [InlineData("qwen3-8b")]
    [InlineData("deepseek-v3")]
    public void Supports_RefusesLayoutsWithoutAnAutogradRule(string preset) =>
        Assert.False(StepMemory.Supports(ModelPresets.Load(preset)));

    [Fact]
    public void Supports_EverySuiteModel() =>
        Assert.All(VerifySuite.Models, m => Assert.True(StepMemory.Supports(m.Spec), m.Name));
}
