using ScaleLab.Core.Scaling;

namespace ScaleLab.Core.Tests.Scaling;

/// <summary>L(N, D) on a 6 × 6 grid drawn from Chinchilla's published law with 1 % log-normal noise (fixed seed).</summary>
public sealed class JointScalingFitterTests
{
    private static readonly JointConstants Truth = SyntheticLaws.Chinchilla;

    private static readonly Lazy<JointScalingFit> Fitted = new(() => JointScalingFitter.Fit(
        SyntheticLaws.Joint(Truth, SyntheticLaws.LogSpaced(1e7, 1e10, 6), SyntheticLaws.LogSpaced(1e9, 1e12, 6), 0.01, seed: 2),
        new ScalingFitOptions { BootstrapSamples = 200 }));

    [Fact]
    public void Fit_ChinchillaLaw_TrueConstantsLieInsideTheIntervals()
    {
        var fit = Fitted.Value;
        Assert.True(fit.E.Contains(Truth.E), $"E {fit.E}");
        Assert.True(fit.A.Contains(Truth.A), $"A {fit.A}");
        Assert.True(fit.B.Contains(Truth.B), $"B {fit.B}");
        Assert.True(fit.Alpha.Contains(Truth.Alpha), $"alpha {fit.Alpha}");
        Assert.True(fit.Beta.Contains(Truth.Beta), $"beta {fit.Beta}");
    }

    [Fact]
    public void Fit_ChinchillaLaw_ExponentsAndFloorAreNearTheTruth()
    {
        var fit = Fitted.Value;
        Assert.InRange(fit.Alpha.Estimate, 0.31, 0.37);
        Assert.InRange(fit.Beta.Estimate, 0.25, 0.31);
        Assert.InRange(fit.E.Estimate, 1.6, 1.78);
        Assert.Equal(256, fit.Quality.Starts);
        Assert.InRange(fit.Quality.LogRmse, 0.005, 0.02);
    }

    [Fact]
    public void ComputeOptimal_GopherBudget_MatchesTheClosedFormAndHoldsTheTrueSplit()
    {
        // Hoffmann et al. 2022, eq. 4 with the true constants, at Gopher's budget 5.76e23 FLOPs.
        var (trueN, trueD) = Truth.ComputeOptimal(5.76e23);
        Assert.Equal(5.76e23, 6 * trueN * trueD, 5.76e23 * 1e-9);
        var split = Fitted.Value.ComputeOptimal(5.76e23);
        var (n, d) = Fitted.Value.Constants.ComputeOptimal(5.76e23);
        Assert.Equal(n, split.Parameters.Estimate);
        Assert.Equal(d, split.Tokens.Estimate);
        Assert.True(split.Parameters.Contains(trueN), $"N {split.Parameters} vs {trueN:G4}");
        Assert.True(split.Tokens.Contains(trueD), $"D {split.Tokens} vs {trueD:G4}");
    }

    [Fact]
    public void ComputeOptimal_PublishedConstants_GiveThePlannersSplit()
    {
        // The same closed form as Planning.ComputeOptimal (which carries the paper's constants): 32.2 B parameters at 5.76e23.
        var (n, _) = Truth.ComputeOptimal(5.76e23);
        Assert.Equal(ScaleLab.Core.Planning.ComputeOptimal.For(5.76e23).FittedParameters, n, n * 1e-12);
    }

    [Fact]
    public void Predict_OutsideTheGrid_IntervalHoldsTheTrueLoss()
    {
        var p = Fitted.Value.Predict(3e10, 3e12);
        double truth = Truth.Loss(3e10, 3e12);
        Assert.True(p.PredictionLower <= truth && truth <= p.PredictionUpper, $"{truth} not in [{p.PredictionLower}, {p.PredictionUpper}]");
    }
}
