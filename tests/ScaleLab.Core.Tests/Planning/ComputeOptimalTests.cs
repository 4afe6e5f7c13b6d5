using ScaleLab.Core.Planning;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>Hoffmann et al. 2022 (Chinchilla) at Gopher's budget, C = 5.76e23 FLOPs.</summary>
public class ComputeOptimalTests
{
    private const double GopherBudget = 5.76e23;

    [Fact]
    public void Rule_GopherBudget_IsAbout70BParametersOn1_4TTokens()
    {
        var split = ComputeOptimal.For(GopherBudget);
        Assert.Equal(69_282_032_302.755, split.RuleParameters, 1.0);     // √(C/120)
        Assert.Equal(20 * split.RuleParameters, split.RuleTokens, 1.0);
        // Chinchilla itself: 70 B parameters, 1.4 T tokens (Table 1 / §4); the rule lands within 2 %.
        Assert.InRange(split.RuleParameters / 70e9, 0.98, 1.02);
        Assert.InRange(split.RuleTokens / 1.4e12, 0.98, 1.02);
    }

    [Fact]
    public void FittedLaw_ConstantsGiveGAndExponents()
    {
        Assert.Equal(1.34471064277253, ComputeOptimal.G, 1e-12);          // (αA/(βB))^(1/(α+β))
        Assert.Equal(0.28 / 0.62, ComputeOptimal.ExponentA, 1e-15);
        Assert.Equal(0.34 / 0.62, ComputeOptimal.ExponentB, 1e-15);
    }

    [Fact]
    public void FittedLaw_GopherBudget_Is32_2BParametersOn2_98TTokens()
    {
        var split = ComputeOptimal.For(GopherBudget);
        Assert.Equal(32_189_859_151.37, split.FittedParameters, 32_189_859_151.37 * 1e-9);
        Assert.Equal(2_982_305_686_662.8, split.FittedTokens, 2_982_305_686_662.8 * 1e-9);
        Assert.Equal(GopherBudget, 6 * split.FittedParameters * split.FittedTokens, GopherBudget * 1e-9);
        Assert.Equal(1.930748101731648, split.FittedLoss, 1e-9);
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(1.1)]
    [InlineData(2.15)]   // the rule's 69 B
    public void FittedLaw_OptimumHasTheLowestLossOnItsIsoFlopLine(double factor)
    {
        var split = ComputeOptimal.For(GopherBudget);
        double n = split.FittedParameters * factor;
        Assert.True(ComputeOptimal.Loss(n, GopherBudget / (6 * n)) > split.FittedLoss);
    }

    [Fact]
    public void NonPositiveBudget_IsRefused()
    {
        var error = Assert.Throws<PlanningException>(() => ComputeOptimal.For(0));
        Assert.Equal("--compute must be a positive number of FLOPs such as 5.76e23, got 0", error.Message);
    }
}
