using ScaleLab.Core.Runs;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Data;
using System.Diagnostics;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

[Collection(SerialTorchCollection.Name)]
public sealed class TrainerTests
{
    [Fact]
    public void Train_SameSeedTwice_GivesIdenticalLosses()
    {
        var first = Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(), TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);
        var second = Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(), TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);
        var a = RunReader.ReadEpochs(first.RunDirectory);
        var b = RunReader.ReadEpochs(second.RunDirectory);
        Assert.Equal(2, a.Count);
        Assert.Equal(a.Select(m => (m.TrainLoss, m.ValLoss)), b.Select(m => (m.TrainLoss, m.ValLoss)));
        Assert.Equal(first.Test!.Loss, second.Test!.Loss);
    }

    [Fact]
    public void Train_DifferentSeed_GivesDifferentLosses()
    {
        var first = Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1), TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);
        var second = Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1) with { Seed = 8 }, TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);
        Assert.NotEqual(first.Final!.TrainLoss, second.Final!.TrainLoss);
    }

    [Fact]
    public void Resume_AfterCancellationMidEpoch_ReproducesUninterruptedLosses()
    {
        var config = TinyRuns.Config(epochs: 3);
        var whole = Trainer.Run(TinyRuns.Mlp(), config, TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);

        string dir = TinyRuns.NewRunDirectory();
        using var cancel = new CancellationTokenSource();
        var killed = new RecordingProgress(cancel, cancelEpoch: 2, cancelStep: 5);
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(TinyRuns.Mlp(), config, dir, false, killed, cancel.Token));
        Assert.Single(RunReader.ReadEpochs(dir));   // epoch 1 finished, epoch 2 was cut at step 5

        var resumed = new RecordingProgress();
        var summary = Trainer.Run(TinyRuns.Mlp(), config, dir, true, resumed, CancellationToken.None);

        Assert.Equal(2, resumed.Steps[0].Epoch);   // redone from the start of epoch 2
        Assert.Equal(1, resumed.Steps[0].Step);
        var expected = RunReader.ReadEpochs(whole.RunDirectory).Select(m => (m.Epoch, m.Step, m.TrainLoss, m.ValLoss, m.Lr));
        var actual = RunReader.ReadEpochs(dir).Select(m => (m.Epoch, m.Step, m.TrainLoss, m.ValLoss, m.Lr));
        Assert.Equal(expected, actual);
        Assert.Equal(whole.Test!.Loss, summary.Test!.Loss);
    }

    [Fact]
    public void Resume_WithChangedLearningRate_IsRefused()
    {
        string dir = TinyRuns.NewRunDirectory();
        Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1), dir, false, SilentProgress.Instance, CancellationToken.None);
        var error = Assert.Throws<ScaleLab.Torch.Checkpoints.CheckpointException>(() =>
            Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 2) with { Lr = 0.1 }, dir, true, SilentProgress.Instance, CancellationToken.None));
        Assert.Contains("was written with a different training config; only epochs, threads and device may change", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_HugeLearningRateInEpochTwo_DivergesWithClearMessageAndKeepsEpochOneCheckpoint()
    {
        // SGD at lr 0.01 for epoch 1, then the step schedule multiplies it by 1e12: the loss overflows in epoch 2.
        var config = TinyRuns.Config(epochs: 3) with { Optimizer = OptimizerKind.Sgd, Lr = 0.01, Schedule = ScheduleKind.Step, StepSize = 1, Gamma = 1e12, WarmupSteps = 0 };
        string dir = TinyRuns.NewRunDirectory();
        var summary = Trainer.Run(TinyRuns.Mlp(dropout: 0), config, dir, false, SilentProgress.Instance, CancellationToken.None);

        var files = new RunFiles(Path.GetFullPath(dir));
        Assert.Equal(RunStatus.Diverged, summary.Status);
        Assert.Equal(1, summary.EpochsCompleted);
        Assert.Matches(@"^diverged at epoch 2 step \d+: loss (NaN|\+Inf); last good checkpoint: .*last\.safetensors \(epoch 1\)\. Lower the learning rate or add grad_clip\.$", summary.Message);
        Assert.Contains(files.LastWeights, summary.Message, StringComparison.Ordinal);
        Assert.Equal(1, ScaleLab.Torch.Checkpoints.CheckpointStore.ReadState(files).Epoch);
        Assert.Equal("diverged", System.Text.Json.JsonDocument.Parse(File.ReadAllText(files.Summary)).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void Train_ValidationLossNotImproving_StopsEarlyAfterPatienceEpochs()
    {
        // lr 1e-30 leaves every float32 weight unchanged, so the validation loss stays exactly the same.
        var config = TinyRuns.Config(epochs: 6, limit: 128) with { Optimizer = OptimizerKind.Sgd, Lr = 1e-30, Schedule = ScheduleKind.None, WarmupSteps = 0, EarlyStoppingPatience = 2 };
        var summary = Trainer.Run(TinyRuns.Mlp(), config, TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);
        Assert.Equal(RunStatus.EarlyStopped, summary.Status);
        Assert.Equal(3, summary.EpochsCompleted);
        Assert.Equal(1, summary.Best!.Epoch);
        Assert.Equal("early stopped after epoch 3: validation loss has not improved for 2 epochs (best: epoch 1)", summary.Message);
    }

    [Fact]
    public void Train_SpecForOtherImages_NamesBothShapes()
    {
        var spec = new ModelSpec { Name = "cifar-mlp", Input = Shape.Of(3, 32, 32), Layers = [new FlattenLayer(), new LinearLayer(10)], Source = "cifar.json" };
        var error = Assert.Throws<DataMismatchException>(() =>
            Trainer.Run(spec, TinyRuns.Config(epochs: 1), TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None));
        Assert.StartsWith("model 'cifar-mlp' (cifar.json) takes samples of shape 3x32x32, but the data 'fashion-mnist", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("has samples of shape 1x28x28", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_SpecWithTwentyOutputs_SaysTheDataHasTenClasses()
    {
        var spec = new ModelSpec { Name = "wide", Input = Shape.Of(1, 28, 28), Layers = [new FlattenLayer(), new LinearLayer(20)], Source = "wide.json" };
        var error = Assert.Throws<DataMismatchException>(() =>
            Trainer.Run(spec, TinyRuns.Config(epochs: 1), TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None));
        Assert.Equal("model 'wide' (wide.json) outputs 20 per sample, but the data has 10 classes; end the model with a linear layer of 10 units", error.Message);
    }

    [Fact]
    public void Train_LstmOverImageRows_ReshapesEachImageIntoASequence()
    {
        var spec = new ModelSpec
        {
            Name = "rows", Input = Shape.Of(28, 28),
            Layers = [new RecurrentLayer(RecurrentKind.Lstm, 16, ReturnSequences: false), new LinearLayer(10)],
        };
        var summary = Trainer.Run(spec, TinyRuns.Config(epochs: 1, limit: 256), TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);
        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Equal(256, summary.Test!.Samples);
        Assert.Equal(4 * 16 * (28 + 16) + 8 * 16 + 16 * 10 + 10, summary.Parameters);
    }

    [Fact]
    public void Train_SeedMlpOnEmbeddedSubset_ReachesAtLeast80PercentTestAccuracyInUnderAMinute()
    {
        // The seed MLP preset (784-1000-500-250) with the 10-class output layer of examples/train/models/mlp-fashion-mnist.json.
        var preset = ScaleLab.Core.Presets.ModelPresets.Load("mlp-784-1000-500-250");
        var spec = preset with { Layers = [.. preset.Layers, new ActivationLayer(ActivationKind.Relu), new LinearLayer(10)] };
        var config = TinyRuns.Config(epochs: 3) with
        {
            BatchSize = 64, Lr = 1e-3, Schedule = ScheduleKind.None, WarmupSteps = 0, Seed = 0, Threads = null,
            Data = new DataConfig { Source = new IdxSource(IdxSet.FashionMnist), Directory = TinyRuns.EmbeddedFashionMnist, ValidationFraction = 0.1 },
        };
        var clock = Stopwatch.StartNew();
        var summary = Trainer.Run(spec, config, TinyRuns.NewRunDirectory(), false, SilentProgress.Instance, CancellationToken.None);
        clock.Stop();
        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Equal(2000, summary.Test!.Samples);
        Assert.True(summary.Test.Accuracy >= 0.80, $"test accuracy {summary.Test.Accuracy}");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
        Assert.Equal(summary.EstimatedParameters, summary.Parameters);
    }
}
