using ScaleLab.Core.Scaling;
using ScaleLab.Reports.Html;

namespace ScaleLab.Reports.Tests;

/// <summary>The law in words states only what the points constrain (issue 17: "no amount of parameters takes it below E = 0.373" from an E in [1e-12, 0.377]).</summary>
public sealed class ScalingLawTextTests
{
    private static PowerLawFit Fit(double e, double noise)
    {
        var random = new Random(5);
        var points = Enumerable.Range(0, 8).Select(i =>
        {
            double x = 1e4 * Math.Pow(100, i / 7.0);
            return new PowerLawPoint(x, (e + (30 * Math.Pow(x, -0.35))) * Math.Exp(noise * (random.NextDouble() - 0.5)), $"p{i}");
        }).ToList();
        return PowerLawFitter.Fit(points, "params", new ScalingFitOptions { BootstrapSamples = 100 });
    }

    [Fact]
    public void Doubling_WithAFloorThePointsPin_StatesIt()
    {
        var fit = Fit(e: 0.25, noise: 0.002);
        Assert.False(fit.E.IsUnconstrained);
        Assert.Contains("no amount of parameters takes it below E = ", ScalingLawText.Doubling(fit, "parameters"), StringComparison.Ordinal);
    }

    [Fact]
    public void Doubling_WithAnUnconstrainedFloor_DoesNotStateIt()
    {
        // A pure power law (no floor) with noise: the bootstrap drives E to its bound at zero.
        var fit = Fit(e: 0, noise: 0.05);
        Assert.True(fit.E.IsUnconstrained, $"E {fit.E}");
        string text = ScalingLawText.Doubling(fit, "parameters");
        Assert.DoesNotContain("no amount of", text, StringComparison.Ordinal);
        Assert.Contains("The floor E is not constrained by these points", text, StringComparison.Ordinal);
        Assert.Contains("E is not constrained by these points", ScalingLawText.Law(fit), StringComparison.Ordinal);
    }
}
