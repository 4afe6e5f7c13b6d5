using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Experiments.Tests;

public sealed class EarlyStoppingPolicyTests
{
    private static IReadOnlyList<EpochMetrics> Curve(string id, params double[] valLosses) =>
        [.. valLosses.Select((v, i) => new EpochMetrics(i + 1, (i + 1) * 10L, v, null, v, null, 1e-3, 1, 1))];

    [Fact]
    public void Median_StopsATrialWorseThanTheMedianOfFinishedTrials()
    {
        var curves = new Dictionary<string, IReadOnlyList<EpochMetrics>>
        {
            ["a"] = Curve("a", 0.9, 0.5), ["b"] = Curve("b", 1.0, 0.6), ["c"] = Curve("c", 1.1, 0.7), ["x"] = Curve("x", 1.05),
        };
        var options = new EarlyStoppingOptions(EarlyStoppingRule.Median, MinTrials: 3);
        string? reason = EarlyStoppingPolicy.Decide(options, "x", 1, curves, new HashSet<string> { "a", "b", "c" });

        Assert.Equal("median rule: best val loss 1.05 by epoch 1 is worse than the median 1 of 3 finished trials", reason);
        Assert.Null(EarlyStoppingPolicy.Decide(options, "x", 1, curves, new HashSet<string> { "a", "b" }));   // too few finished
        Assert.Null(EarlyStoppingPolicy.Decide(options with { WarmupEpochs = 2 }, "x", 1, curves, new HashSet<string> { "a", "b", "c" }));
    }

    [Fact]
    public void Median_LetsATrialAtTheMedianRunOn()
    {
        var curves = new Dictionary<string, IReadOnlyList<EpochMetrics>>
        {
            ["a"] = Curve("a", 0.9), ["b"] = Curve("b", 1.0), ["c"] = Curve("c", 1.1), ["x"] = Curve("x", 1.0),
        };
        Assert.Null(EarlyStoppingPolicy.Decide(new EarlyStoppingOptions(EarlyStoppingRule.Median), "x", 1, curves, new HashSet<string> { "a", "b", "c" }));
    }

    [Fact]
    public void Halving_KeepsTheTopThirdAtARung()
    {
        var curves = new Dictionary<string, IReadOnlyList<EpochMetrics>>
        {
            ["a"] = Curve("a", 0.5), ["b"] = Curve("b", 0.6), ["c"] = Curve("c", 0.7), ["d"] = Curve("d", 0.8), ["e"] = Curve("e", 0.9), ["x"] = Curve("x", 0.55),
        };
        var options = new EarlyStoppingOptions(EarlyStoppingRule.Halving, ReductionFactor: 3);

        Assert.Null(EarlyStoppingPolicy.Decide(options, "x", 1, curves, new HashSet<string>()));      // 6 reached: keep the best 2 (0.5, 0.55)
        Assert.Equal("successive halving: best val loss 0.6 at rung epoch 1 is not in the top 1/3 of the 6 trials that reached it (cut 0.55)",
            EarlyStoppingPolicy.Decide(options, "b", 1, curves, new HashSet<string>()));
    }

    [Fact]
    public void Halving_RungsAreAtMinEpochsTimesPowersOfTheFactor()
    {
        var options = new EarlyStoppingOptions(EarlyStoppingRule.Halving, MinEpochs: 2, ReductionFactor: 3);
        Assert.Equal([2, 6, 18], Enumerable.Range(1, 20).Where(e => EarlyStoppingPolicy.IsRung(options, e)));
    }

    [Fact]
    public void BestUpTo_IsTheLowestValidationLossSoFarAndNullPastTheCurve()
    {
        var curve = Curve("a", 0.9, 0.4, 0.6);
        Assert.Equal(0.4, EarlyStoppingPolicy.BestUpTo(curve, 3));
        Assert.Equal(0.9, EarlyStoppingPolicy.BestUpTo(curve, 1));
        Assert.Null(EarlyStoppingPolicy.BestUpTo(curve, 4));
    }

    [Fact]
    public void Eta_SharesQueuedAndRunningWorkOverWorkers()
    {
        var eta = SweepTally.EstimateRemaining([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)], [TimeSpan.FromSeconds(5)], left: 4, workers: 2);
        Assert.Equal(TimeSpan.FromSeconds(((4 * 15) + 10) / 2.0), eta);
        Assert.Null(SweepTally.EstimateRemaining([], [], 3, 1));
    }
}
