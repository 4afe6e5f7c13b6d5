using ScaleLab.Core.Planning;

namespace ScaleLab.Core.Tests.Planning;

public class TrainingTimeTests
{
    [Fact]
    public void Estimate_1BOn1TTokens_Is6e21Flops_AndTimeIsFlopsOverGpusPeakMfu()
    {
        // Forward MACs = N per token, so training FLOPs per token = 3 × 2 × N = 6N: exact and 6ND agree.
        var cost = PlanningModels.Transformer(PlanningModels.Gpt3, 1_000_000_000, 1_000_000_000, 2048);
        var compute = TrainingTime.Estimate(cost, HardwareCatalog.A100Sxm80GB, 1e12, 8, ComputeFormat.Bf16, 0.5, 2.0);
        Assert.Equal(6e21, compute.ExactFlops, 1e-9 * 6e21);
        Assert.Equal(6e21, compute.ApproximateFlops, 1e-9 * 6e21);
        Assert.Equal(6e21 / (8 * 312e12 * 0.5), compute.Seconds, 1e-6);                  // 4,807,692 s, about 55.6 days
        Assert.Equal(6e21 / (8 * 312e12 * 0.5) * 8 / 3600, compute.GpuHours, 1e-6);       // 10,683.8 GPU-hours
        Assert.Equal(compute.GpuHours * 2.0, compute.Cost!.Value, 1e-6);
    }

    [Fact]
    public void Estimate_Chinchilla70BOn1_4T_Is5_88e23Flops() =>
        Assert.Equal(5.88e23, TrainingTime.Estimate(PlanningModels.Dense(70_000_000_000), HardwareCatalog.H100Sxm, 1.4e12, 1, ComputeFormat.Bf16).ApproximateFlops, 1e14);

    [Fact]
    public void Estimate_MixtureOfExperts_Uses6TimesActiveParameters()
    {
        var cost = PlanningModels.Transformer(PlanningModels.Mixtral, 46_702_792_704, 12_879_925_248, 4096);
        Assert.Equal(6.0 * 12_879_925_248 * 1e9, TrainingTime.Estimate(cost, HardwareCatalog.H100Sxm, 1e9, 8, ComputeFormat.Bf16).ApproximateFlops, 1e6);
    }

    [Fact]
    public void Estimate_MfuAboveOne_IsRefused()
    {
        var error = Assert.Throws<PlanningException>(() => TrainingTime.Estimate(PlanningModels.Dense(10), HardwareCatalog.L4, 1e6, 1, ComputeFormat.Bf16, 1.5));
        Assert.Equal("--mfu must be in (0, 1], got 1.5; 0.4 is typical", error.Message);
    }

    [Fact]
    public void Estimate_Fp8OnA100_NamesTheFormatsItHas()
    {
        var error = Assert.Throws<PlanningException>(() => TrainingTime.Estimate(PlanningModels.Dense(10), HardwareCatalog.A100Sxm40GB, 1e6, 1, ComputeFormat.Fp8));
        Assert.Equal("a100-40gb has no fp8 rate; it has: fp32, tf32, fp16, bf16, int8", error.Message);
    }
}
