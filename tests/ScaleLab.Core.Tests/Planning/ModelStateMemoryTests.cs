using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>ZeRO (Rajbhandari et al. 2020), Figure 1: Ψ = 7.5 B parameters, N_d = 64 GPUs, mixed-precision Adam (K = 12).</summary>
public class ModelStateMemoryTests
{
    private const long Psi = 7_500_000_000;

    [Fact]
    public void MixedPrecisionAdam_Is2Plus2Plus12BytesPerParameter()
    {
        var state = TrainingState.MixedPrecisionAdam;
        Assert.Equal((2, 2, 12, 16), (state.WeightBytes, state.GradientBytes, state.ZeroK, state.ModelStateBytes));
    }

    [Fact]
    public void Zero0_Figure1_Is120GB() =>
        Assert.Equal(120_000_000_000, ModelStateMemory.PerGpu(Psi, TrainingState.MixedPrecisionAdam, 0, 64).Total);

    [Fact]
    public void Zero1_Figure1_Is31_4GB()
    {
        var bytes = ModelStateMemory.PerGpu(Psi, TrainingState.MixedPrecisionAdam, 1, 64);
        // 2Ψ + 2Ψ + KΨ/N_d = 15 + 15 + 1.40625 GB
        Assert.Equal(31_406_250_000, bytes.Total);
        Assert.Equal(15_000_000_000, bytes.Weights);
        Assert.Equal(15_000_000_000, bytes.Gradients);
        Assert.Equal(12 * Psi / 64, bytes.MasterWeights + bytes.OptimizerState);
    }

    [Fact]
    public void Zero2_Figure1_Is16_6GB() =>
        // 2Ψ + (2 + K)Ψ/N_d = 15 + 1.640625 GB
        Assert.Equal(16_640_625_000, ModelStateMemory.PerGpu(Psi, TrainingState.MixedPrecisionAdam, 2, 64).Total);

    [Fact]
    public void Zero3_Figure1_Is1_9GB() =>
        // (2 + 2 + K)Ψ/N_d = 120/64 GB
        Assert.Equal(1_875_000_000, ModelStateMemory.PerGpu(Psi, TrainingState.MixedPrecisionAdam, 3, 64).Total);

    [Fact]
    public void Fp32Adam_Keeps16BytesWithoutMasterCopy()
    {
        var bytes = ModelStateMemory.PerGpu(1000, TrainingState.Fp32Adam, 0, 1);
        Assert.Equal(new ModelStateBytes(4000, 4000, 0, 8000), bytes);
    }

    [Fact]
    public void MixedPrecisionSgdMomentum_Keeps4BytesOfOptimizerState()
    {
        var state = TrainingState.For(ComputeFormat.Bf16, OptimizerKind.SgdMomentum);
        Assert.Equal(12, state.ModelStateBytes);   // 2 + 2 + 4 master + 4 momentum
    }

    [Fact]
    public void Sharding_RoundsUpToWholeBytes() =>
        // 12 bytes × 10 parameters over 64 GPUs: 40/64 and 80/64 bytes each round up to 1 and 2.
        Assert.Equal(new ModelStateBytes(20, 20, 1, 2), ModelStateMemory.PerGpu(10, TrainingState.MixedPrecisionAdam, 1, 64));

    [Fact]
    public void Int8Training_IsRefused()
    {
        var error = Assert.Throws<PlanningException>(() => TrainingState.For(ComputeFormat.Int8));
        Assert.Equal("--precision int8 is an inference format; train in fp32, tf32, bf16, fp16 or fp8", error.Message);
    }
}
