using ScaleLab.Core.Runs;
using ScaleLab.Torch.Logging;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

[Collection(SerialTorchCollection.Name)]
public sealed class StepRecordTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(16, 1, 16)]
    [InlineData(200, 1, 200)]
    [InlineData(201, 2, 101)]
    [InlineData(512, 3, 171)]
    [InlineData(60_000, 300, 200)]
    public void Interval_KeepsAnEpochAtOrBelow200Records(long stepsPerEpoch, long interval, long records)
    {
        Assert.Equal(interval, StepLogInterval.For(stepsPerEpoch));
        Assert.Equal(records, StepLogInterval.RecordsPerEpoch(stepsPerEpoch, interval));
    }

    [Fact]
    public void Train_512StepsPerEpoch_Writes171StepRecordsPerEpoch()
    {
        // 640 samples, 20 % validation: 512 training samples at batch 1 = 512 steps, interval ceil(512/200) = 3.
        var config = TinyRuns.Config(epochs: 2) with { BatchSize = 1, WarmupSteps = 0 };
        var summary = Trainer.Run(TinyRuns.Mlp(), config, TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);

        var steps = RunReader.ReadSteps(summary.RunDirectory);
        Assert.Equal(2 * 171, steps.Count);
        Assert.Equal([3L, 6L, 9L], steps.Take(3).Select(s => s.Step));
        Assert.Equal(512L, steps[170].Step);   // the epoch's last step closes a window of 2
        Assert.Equal(515L, steps[171].Step);
        Assert.Equal(1024L, steps[^1].Step);
        Assert.Equal(1.0, steps[170].EpochsDone);
        Assert.Equal(2.0, steps[^1].EpochsDone);
        Assert.All(steps, s => Assert.True(double.IsFinite(s.TrainLoss) && s.TrainLoss > 0 && s.SamplesPerSecond > 0));

        // The sample-weighted mean of the windows is the epoch's mean training loss.
        var epochs = RunReader.ReadEpochs(summary.RunDirectory);
        Assert.Equal(2, epochs.Count);
        double weighted = steps.Take(171).Select((s, i) => s.TrainLoss * (i == 170 ? 2 : 3)).Sum() / 512;
        Assert.Equal(epochs[0].TrainLoss, weighted, 1e-6);

        var files = new RunFiles(summary.RunDirectory);
        string events = Directory.GetFiles(files.TensorBoard).Single();
        var stepLoss = TensorBoardEventReader.ReadScalars(events).Where(e => e.Tag == "step/loss/train").ToList();
        Assert.Equal(steps.Select(s => (s.Step, (float)s.TrainLoss)), stepLoss.Select(e => (e.Step, e.Value)));
    }

    [Fact]
    public void Resume_AfterCancellationMidEpoch_WritesEachStepRecordOnce()
    {
        var config = TinyRuns.Config(epochs: 3);
        var whole = Trainer.Run(TinyRuns.Mlp(), config, TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);

        string dir = TinyRuns.NewRunDirectory();
        using var cancel = new CancellationTokenSource();
        var killed = new RecordingProgress(cancel, cancelEpoch: 2, cancelStep: 5);
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(TinyRuns.Mlp(), config, dir, false, killed, cancel.Token));
        Assert.True(RunReader.ReadSteps(dir).Count > 16);   // epoch 1's 16 records and some of epoch 2's, redone on resume
        Trainer.Run(TinyRuns.Mlp(), config, dir, true, SilentProgress.Instance, CancellationToken.None);

        var expected = RunReader.ReadSteps(whole.RunDirectory).Select(s => (s.Epoch, s.Step, s.TrainLoss, s.Lr)).ToList();
        Assert.Equal(3 * 16, expected.Count);
        Assert.Equal(expected, RunReader.ReadSteps(dir).Select(s => (s.Epoch, s.Step, s.TrainLoss, s.Lr)));
    }
}
