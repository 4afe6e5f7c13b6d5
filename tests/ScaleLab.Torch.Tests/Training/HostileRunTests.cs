using ScaleLab.Core.Runs;
using ScaleLab.Torch.Checkpoints;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Training;

/// <summary>Faults around a run (issue 13): other data on resume, NaN weights, a damaged summary.json.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class HostileRunTests
{
    [Fact]
    public void Resume_AfterTheDataChanged_IsRefusedNamingBoth()
    {
        // Same config, same folder name, other contents: what another --data, $SCALELAB_DATA or a `data fetch` does.
        string data = Path.Combine(Path.GetTempPath(), $"scalelab-data-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        foreach (string file in Directory.GetFiles(TinyRuns.EmbeddedFashionMnist)) File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        try
        {
            var config = TinyRuns.Config(epochs: 1) with { Data = TinyRuns.Config().Data with { Directory = data } };
            string run = TinyRuns.NewRunDirectory();
            Trainer.Run(TinyRuns.Mlp(), config, run, false, SilentProgress.Instance, CancellationToken.None);
            File.Copy(Path.Combine(data, "t10k-images-idx3-ubyte.gz"), Path.Combine(data, "train-images-idx3-ubyte.gz"), overwrite: true);
            File.Copy(Path.Combine(data, "t10k-labels-idx1-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"), overwrite: true);

            var error = Assert.Throws<CheckpointException>(() =>
                Trainer.Run(TinyRuns.Mlp(), config with { Epochs = 2 }, run, true, SilentProgress.Instance, CancellationToken.None));
            Assert.Matches(@"was trained on other data: sha256:[0-9a-f]{16} \(.*\); this run would continue on sha256:[0-9a-f]{16} \(.*\)\. Resume with the data it started on", error.Message);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void LoadModel_WithNaNWeights_IsRefusedNamingTheTensor()
    {
        string run = TinyRuns.NewRunDirectory();
        Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1), run, false, SilentProgress.Instance, CancellationToken.None);
        var files = new RunFiles(Path.GetFullPath(run));
        var tensors = ModelWeights.ReadAll(files.Weights("best"));
        using var nan = torch.tensor(float.NaN);
        tensors["layers.1.weight"][0, 0] = nan;
        ModelWeights.SaveTensors(tensors.Select(p => (p.Key, p.Value)), files.Weights("best"));
        foreach (var t in tensors.Values) t.Dispose();

        var error = Assert.Throws<CheckpointException>(() => RunDirectory.LoadModel(run));
        Assert.EndsWith("tensor 'layers.1.weight' holds 1 NaN or infinite values; the weights are corrupt (or were saved from a diverged run)", error.Message);
    }

    [Fact]
    public void ReadSummary_WithAnImpossibleAccuracy_NamesTheField()
    {
        string run = TinyRuns.NewRunDirectory();
        var summary = Trainer.Run(TinyRuns.Mlp(), TinyRuns.Config(epochs: 1), run, false, SilentProgress.Instance, CancellationToken.None);
        var files = new RunFiles(Path.GetFullPath(run));
        RunJson.Write(files.Summary, summary with { Test = summary.Test! with { Accuracy = 7.5 } });
        var error = Assert.Throws<RunDirectoryException>(() => RunReader.ReadSummary(run));
        Assert.Equal($"{files.Summary}: test.accuracy is 7.5; it must be from 0 to 1 — the file is damaged or was not written by `scalelab train`", error.Message);
    }
}
