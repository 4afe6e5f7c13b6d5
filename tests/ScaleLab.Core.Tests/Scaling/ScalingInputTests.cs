using ScaleLab.Core.Scaling;

namespace ScaleLab.Core.Tests.Scaling;

/// <summary>Degenerate input: one test per error, each asserting the message names the point, the column and the value.</summary>
public sealed class ScalingInputTests
{
    private static List<PowerLawPoint> Good() => SyntheticLaws.PowerLaw(SyntheticLaws.Mlp, 1e4, 1e6, 5, 0, seed: 0);

    [Fact]
    public void Fit_ThreePoints_IsRejectedNamingTheConstants()
    {
        var ex = Assert.Throws<ScalingFitException>(() => PowerLawFitter.Fit(Good().Take(3).ToList(), "params"));
        Assert.Equal("L(params) = E + A·params^(−α): 3 points for 3 constants (E, A, α); need at least 4 (one more than the constants, to measure the spread)", ex.Message);
    }

    [Fact]
    public void Fit_ZeroParameters_IsRejectedNamingThePoint()
    {
        var points = Good();
        points[2] = points[2] with { X = 0 };
        var ex = Assert.Throws<ScalingFitException>(() => PowerLawFitter.Fit(points, "params"));
        Assert.Equal("point 3 (synthetic 3): params = 0; every params value must be a positive, finite number (the law is fitted on logarithms)", ex.Message);
    }

    [Fact]
    public void Fit_NaNLoss_IsRejectedNamingThePoint()
    {
        var points = Good();
        points[4] = points[4] with { Loss = double.NaN };
        var ex = Assert.Throws<ScalingFitException>(() => PowerLawFitter.Fit(points, "flops"));
        Assert.Equal("point 5 (synthetic 5): loss = NaN; every loss value must be a positive, finite number (the law is fitted on logarithms)", ex.Message);
    }

    [Fact]
    public void Fit_NegativeLoss_IsRejected()
    {
        var points = Good();
        points[0] = points[0] with { Loss = -0.5 };
        var ex = Assert.Throws<ScalingFitException>(() => PowerLawFitter.Fit(points, "params"));
        Assert.StartsWith("point 1 (synthetic 1): loss = -0.5;", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_TwoDistinctSizes_IsRejected()
    {
        var points = new List<PowerLawPoint> { new(1000, 1.0), new(1000, 1.1), new(2000, 0.9), new(2000, 0.8) };
        var ex = Assert.Throws<ScalingFitException>(() => PowerLawFitter.Fit(points, "params"));
        Assert.Equal("only 2 distinct params values (1000, 2000); a power law with a floor E needs at least 3", ex.Message);
    }

    [Fact]
    public void JointFit_TokensProportionalToParameters_IsRejectedAsInseparable()
    {
        var points = Enumerable.Range(0, 8).Select(i => Math.Pow(10, 7 + (i * 0.3)))
            .Select(n => new JointPoint(n, 20 * n, SyntheticLaws.Chinchilla.Loss(n, 20 * n))).ToList();
        var ex = Assert.Throws<ScalingFitException>(() => JointScalingFitter.Fit(points));
        Assert.StartsWith("params and tokens vary together (correlation of their logarithms 1.0000): the joint law cannot tell A/N^α from B/D^β", ex.Message, StringComparison.Ordinal);
        Assert.False(JointScalingFitter.CanSeparate(points));
    }

    [Fact]
    public void JointFit_FivePoints_IsRejected()
    {
        var points = Enumerable.Range(0, 5).Select(i => new JointPoint(1e7 * (i + 1), 1e9 * (5 - i), 2.5)).ToList();
        var ex = Assert.Throws<ScalingFitException>(() => JointScalingFitter.Fit(points));
        Assert.Equal("L(N, D) = E + A/N^α + B/D^β: 5 points for 5 constants (E, A, B, α, β); need at least 6 (one more than the constants, to measure the spread)", ex.Message);
    }

    [Fact]
    public void JointFit_InfiniteTokens_IsRejectedNamingTheColumn()
    {
        var points = Enumerable.Range(0, 6).Select(i => new JointPoint(1e7 * (i + 1), 1e9, 2.5, $"line {i + 2}")).ToList();
        points[1] = points[1] with { Tokens = double.PositiveInfinity };
        var ex = Assert.Throws<ScalingFitException>(() => JointScalingFitter.Fit(points));
        Assert.Equal("point 2 (line 3): tokens = Infinity; every tokens value must be a positive, finite number (the law is fitted on logarithms)", ex.Message);
    }

    [Fact]
    public void Options_ConfidenceLevelOfOne_IsRejected()
    {
        var ex = Assert.Throws<ScalingFitException>(() => PowerLawFitter.Fit(Good(), "params", new ScalingFitOptions { ConfidenceLevel = 1 }));
        Assert.Equal("confidence level 1: it must lie strictly between 0 and 1, e.g. 0.95", ex.Message);
    }
}
