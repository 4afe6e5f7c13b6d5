using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Verification;

namespace ScaleLab.Core.Tests.Verification;

public class VerificationResultTests
{
    private static BatchVerification Batch(int batch, long estimated, long measured) =>
        new(batch, new StepMemoryEstimate(batch, estimated, 0, 0, 0, 0, 0), measured, 0, new StepTimeEstimate(batch, 0.01, 0, 0, 0), 0.011, 0);

    private static VerificationResult Result(params BatchVerification[] batches) =>
        new("m", 1, 10, 10, 100, batches, 2, "cpu", new VerifyConditions(true, true, true, 3, 10, null, true));

    [Fact]
    public void Slope_IsTheLeastSquaresFit() =>
        Assert.Equal(2.5, VerificationResult.Slope([(1, 10), (2, 12), (3, 15)]), 12);

    [Fact]
    public void WithinTolerance_AllBatchesAndTheSlopeWithin10Percent()
    {
        var r = Result(Batch(1, 100, 105), Batch(2, 200, 205), Batch(4, 400, 410));
        Assert.True(r.MemoryWithin);
        Assert.True(r.TimeWithin);
        Assert.True(r.WithinTolerance);
    }

    [Fact]
    public void WithinTolerance_AThreefoldErrorOnASmallModelFails()
    {
        // No absolute floor: 22 MiB estimated against 73 MiB measured (the first round's verify) is outside.
        var r = Result(Batch(1, 22L << 20, 73L << 20), Batch(2, 23L << 20, 74L << 20), Batch(4, 25L << 20, 76L << 20));
        Assert.False(r.MemoryWithin);
        Assert.False(r.WithinTolerance);
    }

    [Fact]
    public void WithinTolerance_AConstantOffsetCannotHideInTheSlope()
    {
        // Totals within 10 % but the per-sample slope twice the estimate's: the estimate misses what grows with the batch.
        var r = Result(Batch(1, 1_000, 1_010), Batch(2, 1_010, 1_030), Batch(4, 1_030, 1_070));
        Assert.True(r.Batches.All(b => b.MemoryWithin));
        Assert.False(r.SlopeWithin);
        Assert.False(r.WithinTolerance);
    }

    [Fact]
    public void PredictedSeconds_IsTheProfilesPredictionAtTheMeasuredSpeed()
    {
        // The profile predicts 10 ms; the machine ran GEMMs at 0.8× the profile's speed beside steps that measured 12.5 ms:
        // at that speed 12.5 ms is predicted (error 0), where the profile's own 10 ms is 20 % low.
        var slow = Batch(1, 100, 100) with { MeasuredSeconds = 0.0125, MachineSpeed = 0.8 };
        Assert.Equal(0.0125, slow.PredictedSeconds!.Value, 12);
        Assert.Equal(1.25, slow.SpeedScale, 12);
        Assert.Equal(0, slow.TimeError!.Value, 12);
        Assert.Equal(-0.2, slow.ProfileTimeError!.Value, 12);
        Assert.True(slow.TimeWithin);

        // A machine 1.3× faster than its profile: 10 ms at the profile's speed is 7.69 ms now, 36 % above a 5.65 ms step.
        var fast = Batch(1, 100, 100) with { MeasuredSeconds = 0.00565, MachineSpeed = 1.3 };
        Assert.Equal(0.01 / 1.3, fast.PredictedSeconds!.Value, 12);
        Assert.False(fast.TimeWithin);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void PredictedSeconds_WithoutAUsableSpeed_IsTheProfiles(double? speed)
    {
        var b = Batch(1, 100, 100) with { MachineSpeed = speed };
        Assert.Equal(0.01, b.PredictedSeconds!.Value, 12);
        Assert.Equal(b.ProfileTimeError, b.TimeError);
    }

    [Fact]
    public void PredictedSeconds_WithoutAProfile_IsNull()
    {
        var b = Batch(1, 100, 100) with { Time = null, MachineSpeed = 0.9 };
        Assert.Null(b.PredictedSeconds);
        Assert.Null(b.TimeError);
        Assert.Null(b.TimeWithin);
    }

    [Fact]
    public void TimeWithin_MoreThan20PercentOffFails()
    {
        var slow = Batch(1, 100, 100) with { MeasuredSeconds = 0.02 };
        Assert.False(Result(slow, Batch(2, 200, 200), Batch(4, 400, 400)).WithinTolerance);
    }
}
