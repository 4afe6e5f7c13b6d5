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
    public void TimeWithin_MoreThan20PercentOffFails()
    {
        var slow = Batch(1, 100, 100) with { MeasuredSeconds = 0.02 };
        Assert.False(Result(slow, Batch(2, 200, 200), Batch(4, 400, 400)).WithinTolerance);
    }
}
