using System.Text.Json;
using ScaleLab.Core.Runs;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Tests.Training;
using ScaleLab.Torch.Training;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Runs;

[Collection(SerialTorchCollection.Name)]
public sealed class RunDirectoryTests
{
    [Fact]
    public void Run_WritesEveryFileOfTheLayout_AndLoadModelGivesTheTrainedPredictions()
    {
        string dir = TinyRuns.NewRunDirectory();
        var summary = Trainer.Run(TinyRuns.Mlp(dropout: 0), TinyRuns.Config(epochs: 2, limit: 128), dir, false, SilentProgress.Instance, CancellationToken.None);
        var files = new RunFiles(Path.GetFullPath(dir));
        foreach (string path in (string[])[files.Confusion, files.Spec, files.Config, files.Info, files.MetricsCsv, files.MetricsJsonl, files.Summary, files.LastWeights, files.LastOptimizer, files.LastState, files.BestWeights])
        {
            Assert.True(File.Exists(path), path);
        }

        Assert.Single(Directory.GetFiles(files.TensorBoard, "events.out.tfevents.*"));
        Assert.Equal(EpochMetrics.CsvHeader, File.ReadLines(files.MetricsCsv).First());
        var info = JsonDocument.Parse(File.ReadAllText(files.Info)).RootElement;
        Assert.Equal(7, info.GetProperty("seed").GetInt32());
        Assert.Equal("0.107.0", info.GetProperty("versions").GetProperty("torchsharp").GetString());

        var (spec, model, config) = RunDirectory.LoadModel(dir, "last");
        using (model)
        {
            Assert.Equal("tiny-mlp", spec.Name);
            Assert.Equal(2, config.Epochs);
            using var x = ones(1, 1, 28, 28);
            using var again = RunDirectory.LoadModel(dir, "last").Model;
            Assert.True(model.call(x).eq(again.call(x)).all().item<bool>());
        }

        Assert.Equal(summary.Parameters, RunReader.ReadSummary(dir).Parameters);
    }

    [Fact]
    public void LoadModel_UnknownCheckpoint_ListsTheOnesThere()
    {
        string dir = TinyRuns.NewRunDirectory();
        Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1, limit: 64), dir, false, SilentProgress.Instance, CancellationToken.None);
        var error = Assert.Throws<RunDirectoryException>(() => RunDirectory.LoadModel(dir, "epoch3"));
        Assert.EndsWith("epoch3.safetensors: not found; checkpoints here: best, last", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_IntoADirectoryHoldingARun_AsksForResumeOrAnotherOut()
    {
        string dir = TinyRuns.NewRunDirectory();
        Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1, limit: 64), dir, false, SilentProgress.Instance, CancellationToken.None);
        var error = Assert.Throws<RunDirectoryException>(() => Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1, limit: 64), dir, false, SilentProgress.Instance, CancellationToken.None));
        Assert.EndsWith("already holds a run with checkpoints; pass --resume to continue it, or choose another --out", error.Message, StringComparison.Ordinal);
    }
}
