using ScaleLab.Core.Scaling;

namespace ScaleLab.Core.Tests.Scaling;

/// <summary>L(x) = E + A·x^(−α) on synthetic points with known constants (1 % log-normal noise, fixed seed).</summary>
public sealed class PowerLawFitterTests
{
    private static readonly PowerLawConstants Truth = SyntheticLaws.Mlp;

    private static readonly Lazy<PowerLawFit> Fitted = new(() =>
        PowerLawFitter.Fit(SyntheticLaws.PowerLaw(Truth, 1e4, 1e7, 12, 0.01, seed: 1), "params"));

    [Fact]
    public void Fit_SyntheticLaw_TrueConstantsLieInsideTheIntervals()
    {
        var fit = Fitted.Value;
        Assert.True(fit.E.Contains(Truth.E), $"E {fit.E}");
        Assert.True(fit.A.Contains(Truth.A), $"A {fit.A}");
        Assert.True(fit.Alpha.Contains(Truth.Alpha), $"alpha {fit.Alpha}");
    }

    [Fact]
    public void Fit_SyntheticLaw_EstimatesAreNearTheTruth()
    {
        var fit = Fitted.Value;
        Assert.InRange(fit.E.Estimate, Truth.E * 0.9, Truth.E * 1.1);
        Assert.InRange(fit.Alpha.Estimate, Truth.Alpha - 0.03, Truth.Alpha + 0.03);
        Assert.InRange(fit.A.Estimate, Truth.A * 0.7, Truth.A * 1.4);
        Assert.True(fit.E.Lower < fit.E.Estimate && fit.E.Estimate < fit.E.Upper, $"E {fit.E}");
    }

    [Fact]
    public void Fit_SyntheticLaw_ReportsGoodnessOfFitNearTheNoise()
    {
        var q = Fitted.Value.Quality;
        Assert.Equal(12, q.Points);
        Assert.Equal(150, q.Starts);
        Assert.Equal(400, q.BootstrapSamples);
        Assert.InRange(q.LogRmse, 0.003, 0.02);      // the points carry 1 % noise
        Assert.InRange(q.LogRSquared, 0.995, 1.0);
    }

    [Fact]
    public void Predict_TenTimesBeyondTheLargestPoint_IntervalHoldsTheTrueLoss()
    {
        var fit = Fitted.Value;
        var p = fit.Predict(1e8);
        double truth = Truth.Loss(1e8);
        Assert.True(p.PredictionLower <= truth && truth <= p.PredictionUpper, $"{truth} not in [{p.PredictionLower}, {p.PredictionUpper}]");
        Assert.True(p.PredictionLower <= p.Loss.Lower && p.Loss.Upper <= p.PredictionUpper);
        Assert.InRange(p.Loss.Estimate, truth * 0.97, truth * 1.03);
    }

    [Fact]
    public void Fit_SameSeed_GivesIdenticalIntervals()
    {
        var again = PowerLawFitter.Fit(SyntheticLaws.PowerLaw(Truth, 1e4, 1e7, 12, 0.01, seed: 1), "params");
        Assert.Equal(Fitted.Value.Alpha, again.Alpha);
        Assert.Equal(Fitted.Value.E, again.E);
    }

    [Fact]
    public void ReducibleLossCutPerDoubling_IsOneMinusTwoToMinusAlpha()
    {
        var fit = Fitted.Value;
        Assert.Equal(1 - Math.Pow(2, -fit.Alpha.Estimate), fit.ReducibleLossCutPerDoubling.Estimate, 12);
        double x = 1e6;
        Assert.Equal(1 - (fit.Loss(2e6) / fit.Loss(x)), fit.LossCutOnDoubling(x), 12);
    }

    [Fact]
    public void Fit_NoiselessPoints_RecoversConstantsAlmostExactly()
    {
        var fit = PowerLawFitter.Fit(SyntheticLaws.PowerLaw(Truth, 1e3, 1e8, 8, 0, seed: 0), "params", new ScalingFitOptions { BootstrapSamples = 20 });
        Assert.Equal(Truth.E, fit.E.Estimate, 3);
        Assert.Equal(Truth.Alpha, fit.Alpha.Estimate, 3);
        Assert.Equal(Truth.A, fit.A.Estimate, 0);
        Assert.True(fit.Quality.LogRmse < 1e-4, fit.Quality.LogRmse.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

public class FitIntervalConstraintTests
{
    [Theory]
    [InlineData(0.373, 1.3e-12, 0.377, true)]    // the two-epoch sweep's E: the bootstrap ran E to its bound at zero
    [InlineData(232.5, 0.5, 844.3, true)]        // more than two orders of magnitude
    [InlineData(0.4702, 0.4335, 0.4802, false)]  // the embedded study's E
    [InlineData(232.5, 61.37, 844.3, false)]     // its A: wide, but within 100×
    public void IsUnconstrained_WhenTheIntervalReachesZeroOrSpansOver100x(double estimate, double lower, double upper, bool unconstrained) =>
        Assert.Equal(unconstrained, new FitInterval(estimate, lower, upper).IsUnconstrained);
}
