using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

public sealed class LearningRateScheduleTests
{
    private static TrainingConfig Config(string schedule) => new() { Epochs = 10, Lr = 0.1, Schedule = TrainingChoices.ParseSchedule(schedule, "schedule"), StepSize = 3, Gamma = 0.5 };

    [Fact]
    public void Step_HalvesEveryThreeEpochs()
    {
        var s = new LearningRateSchedule(Config("step"), stepsPerEpoch: 100);
        Assert.Equal([0.1, 0.1, 0.05, 0.025], new[] { s.At(0, 0), s.At(250, 2), s.At(300, 3), s.At(999, 6) });
    }

    [Fact]
    public void Cosine_IsHalfwayAtTheMiddleAndZeroAtTheEnd()
    {
        var s = new LearningRateSchedule(Config("cosine"), stepsPerEpoch: 100);
        Assert.Equal(0.1, s.At(0, 0), 12);
        Assert.Equal(0.05, s.At(500, 5), 12);
        Assert.Equal(0.0, s.At(1000, 9), 12);
    }

    [Fact]
    public void Warmup_RisesLinearlyThenHandsOver()
    {
        var s = new LearningRateSchedule(Config("none") with { WarmupSteps = 10 }, stepsPerEpoch: 100);
        Assert.Equal(0.01, s.At(0, 0), 12);
        Assert.Equal(0.05, s.At(4, 0), 12);
        Assert.Equal(0.1, s.At(10, 0), 12);
    }

    [Fact]
    public void OneCycle_StartsAtLrOver25PeaksAt30PercentAndEndsNearZero()
    {
        var s = new LearningRateSchedule(Config("onecycle"), stepsPerEpoch: 100);
        Assert.Equal(0.004, s.At(0, 0), 12);
        Assert.Equal(0.1, s.At(299, 2), 12);
        Assert.Equal(0.004 / 1e4, s.At(999, 9), 12);
    }
}
