using ScaleLab.Core.Runs;
using ScaleLab.Reports;
using ScaleLab.Reports.Plots;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;

namespace ScaleLab.Cli.Tests;

/// <summary>Issue 17 item 2: a short real run writes step records at the documented rate and its learning curve draws through them.</summary>
public sealed class StepCurveTests
{
    private static string Embedded => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");

    [Fact]
    public void Train_TwoEpochsAtBatch1_LearningCurveHasOnePointPerStepRecord()
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-cli-step-tests", Guid.NewGuid().ToString("N"));
        var (code, _, error) = EstimateCommandTests.Run("train", "lenet-300-100", "--data", Embedded, "--limit", "512", "--epochs", "2", "--batch", "1",
            "--out", dir, "--progress", "plain", "--threads", "1");
        Assert.True(code == 0, error);

        long stepsPerEpoch = RunReader.ReadSummary(dir).Steps / 2;
        long interval = StepLogInterval.For(stepsPerEpoch);
        long records = StepLogInterval.RecordsPerEpoch(stepsPerEpoch, interval);
        // 512 samples less the validation split: 461 steps at batch 1, a record every ceil(461/200) = 3 steps.
        Assert.Equal((461L, 3L, 154L), (stepsPerEpoch, interval, records));
        Assert.Equal(2 * records, RunReader.ReadSteps(dir).Count);

        var curves = RunPlots.ReadCurves(dir);
        var series = LearningCurvePlot.TrainLossSeries(curves);
        Assert.Equal(2 * records, series.Count);
        Assert.Equal(2, curves.Epochs.Count);
        Assert.Equal(2.0, series[^1].X);
        double first = series.Take(20).Average(p => p.Y), last = series.TakeLast(20).Average(p => p.Y);
        Assert.True(first > last, $"mean loss {first} over the first 20 records, {last} over the last 20");
    }
}
