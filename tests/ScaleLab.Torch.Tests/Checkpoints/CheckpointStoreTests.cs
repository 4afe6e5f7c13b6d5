using ScaleLab.Core.Runs;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Checkpoints;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Tests.Training;
using ScaleLab.Torch.Training;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Checkpoints;

[Collection(SerialTorchCollection.Name)]
public sealed class CheckpointStoreTests
{
    private static ModelSpec Small => new() { Name = "small", Input = Shape.Of(6), Layers = [new LinearLayer(4), new BatchNormLayer(1), new LinearLayer(2)] };

    private static Dictionary<string, string> EpochMetadata(int epoch) => new() { ["format"] = "scalelab", ["epoch"] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), ["checkpoint"] = "last" };

    [Fact]
    public void ModelWeights_SaveThenLoad_RestoresParametersAndBuffersExactly()
    {
        string path = Path.Combine(TinyRuns.NewRunDirectory(), "w.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var source = ModuleBuilder.Build(Small);
        source.train();
        using (var _ = source.call(randn(8, 6))) { }   // moves the batch-norm running statistics off their initial values
        ModelWeights.Save(source, path);
        using var target = ModuleBuilder.Build(Small);
        ModelWeights.Load(target, path);
        foreach (var ((name, a), (_, b)) in source.state_dict().Zip(target.state_dict()))
        {
            Assert.True(a.eq(b).all().item<bool>(), name);
        }
    }

    [Fact]
    public void ModelWeights_LoadIntoOtherShape_NamesTensorAndBothShapes()
    {
        string path = Path.Combine(TinyRuns.NewRunDirectory(), "w.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var source = ModuleBuilder.Build(Small);
        ModelWeights.Save(source, path);
        using var wider = ModuleBuilder.Build(Small with { Layers = [new LinearLayer(5), new BatchNormLayer(1), new LinearLayer(2)] });
        var error = Assert.Throws<CheckpointException>(() => ModelWeights.Load(wider, path));
        Assert.Equal($"{path}: tensor 'layers.0.weight' has shape [4, 6] but the model's is [5, 6]", error.Message);
    }

    [Fact]
    public void ReadState_PendingWeightsOfTheCommittedEpoch_ArePromoted()
    {
        string dir = TinyRuns.NewRunDirectory();
        Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1, limit: 64), dir, false, SilentProgress.Instance, CancellationToken.None);
        var files = new RunFiles(Path.GetFullPath(dir));
        File.Move(files.LastWeights, CheckpointStore.Pending(files.LastWeights));   // killed after last.json, before the rename

        Assert.Equal(1, CheckpointStore.ReadState(files).Epoch);
        Assert.True(File.Exists(files.LastWeights));
        Assert.False(File.Exists(CheckpointStore.Pending(files.LastWeights)));
    }

    [Fact]
    public void ReadState_PendingWeightsOfAnUncommittedEpoch_AreDroppedAndTheRunResumes()
    {
        string dir = TinyRuns.NewRunDirectory();
        var config = TinyRuns.Config(epochs: 1, limit: 64);
        Trainer.Run(TinyRuns.Mlp(), config, dir, false, SilentProgress.Instance, CancellationToken.None);
        var files = new RunFiles(Path.GetFullPath(dir));
        using (var other = ModuleBuilder.Build(TinyRuns.Mlp()))
        {
            ModelWeights.Save(other, CheckpointStore.Pending(files.LastWeights), EpochMetadata(2));   // killed before last.json named epoch 2
        }

        var summary = Trainer.Run(TinyRuns.Mlp(), config with { Epochs = 2 }, dir, true, SilentProgress.Instance, CancellationToken.None);
        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.Equal(2, summary.EpochsCompleted);
        Assert.False(File.Exists(CheckpointStore.Pending(files.LastWeights)));
    }

    [Fact]
    public void Resume_WithoutCheckpoint_SaysThereIsNothingToResume()
    {
        string dir = TinyRuns.NewRunDirectory();
        var error = Assert.Throws<CheckpointException>(() => Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(), dir, true, SilentProgress.Instance, CancellationToken.None));
        Assert.EndsWith("last.json: not found: nothing to resume (the run did not finish an epoch, or this is not a run directory)", error.Message, StringComparison.Ordinal);
    }
}
