using ScaleLab.Core.Runs;
using ScaleLab.Reports.Dashboard;

namespace ScaleLab.Reports.Tests;

public sealed class DashboardJsonTests
{
    private static StepMetrics[] Steps(int count) => [.. Enumerable.Range(1, count).Select(s => new StepMetrics(1 + ((s - 1) / 200), s, s / 200.0, 1.0 / s, 1e-3, 1000))];

    [Fact]
    public void Thin_25EpochsOf200Records_Keeps1000EvenlySpaced_FirstAndLastIncluded()
    {
        var thinned = DashboardJson.Thin(Steps(5000));

        Assert.Equal(DashboardJson.MaxStepsPerTrial, thinned.Count);
        Assert.Equal(1, thinned[0].Step);
        Assert.Equal(5000, thinned[^1].Step);
        Assert.True(thinned.Zip(thinned.Skip(1)).All(p => p.Second.Step - p.First.Step is 5 or 6), "not evenly spaced");
    }

    [Fact]
    public void Thin_AtMost1000Records_KeepsEveryOne()
    {
        var steps = Steps(1000);
        Assert.Same(steps, DashboardJson.Thin(steps));
    }
}
