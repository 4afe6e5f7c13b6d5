using ScaleLab.Core.Presets;
using ScaleLab.Torch.Measurement;

namespace ScaleLab.Torch.Tests.Measurement;

[Collection(ProcessMemoryCollection.Name)]
public sealed class SpecVerifierTests
{
    private static readonly VerifyOptions Quick = new(Batch: 8, Steps: 3, WarmupSteps: 1, GemmBudgetSeconds: 0.05);

    [Fact]
    public void Run_PyTorchTutorialNetwork_Measures1201ParametersLikeTheEstimate()
    {
        var r = SpecVerifier.Run(ModelPresets.Load("pytorch-10-100-1"), Quick);
        Assert.Equal(1201, r.EstimatedParameters);
        Assert.Equal(1201, r.MeasuredParameters);
        Assert.True(r.ParametersMatch);
        Assert.Equal(3, r.StepTimes.Count);
        Assert.Equal(3.0 * 2 * (10 * 100 + 100 * 1) * 8, r.TrainingFlopsPerStep);   // 3 × 2 × MACs × batch
        Assert.True(r.AchievedFlopsPerSecond > 0);
        Assert.True(r.MemoryWithinTolerance, $"growth {r.MeasuredGrowthBytes} vs estimate {r.EstimatedTrainingBytes}");
    }

    [Fact]
    public void Run_KerasCnn_MatchesTheEstimatorExactly()
    {
        var r = SpecVerifier.Run(ModelPresets.Load("keras-mnist-cnn"), Quick);
        Assert.Equal(93_322, r.MeasuredParameters);
        Assert.True(r.ParametersMatch);
    }

    [Fact]
    public void Result_ToleranceIsHalfTheEstimateOr32MiB()
    {
        var peak = new GemmMeasurement(4, Core.Accounting.Precision.Fp32, 3, 1e-6, 1);
        var times = new StepTimes(1, 1, 1, 1);
        var big = new VerificationResult("m", 1, 1, 1, 1, 1, times, peak, 1000L << 20, 1400L << 20, true, 1);
        Assert.Equal(500L << 20, big.MemoryAllowanceBytes);
        Assert.True(big.MemoryWithinTolerance);
        Assert.False((big with { MeasuredGrowthBytes = 1600L << 20 }).MemoryWithinTolerance);
        var small = big with { EstimatedTrainingBytes = 1L << 20, MeasuredGrowthBytes = 30L << 20 };
        Assert.Equal(32L << 20, small.MemoryAllowanceBytes);
        Assert.True(small.MemoryWithinTolerance);
    }
}
