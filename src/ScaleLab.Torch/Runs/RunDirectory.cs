using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Checkpoints;
using ScaleLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Runs;

/// <summary>Reading a finished (or running) run back: its spec, config, summary and trained model. Used by eval, verify and compression.</summary>
public static class RunDirectory
{
    /// <summary>
    /// The run's spec and config, and its model built from the spec with the weights of <paramref name="checkpoint"/>
    /// ("best" or "last") loaded, in eval mode. The caller disposes the model.
    /// </summary>
    public static (ModelSpec Spec, nn.Module<Tensor, Tensor> Model, TrainingConfig Config) LoadModel(string runDirectory, string checkpoint = "best", Device? device = null)
    {
        var files = Open(runDirectory);
        var spec = ModelSpecJson.Load(files.Spec);
        var config = TrainingConfigJson.Load(files.Config);
        string weights = files.Weights(checkpoint);
        if (!File.Exists(weights))
            throw new RunDirectoryException(weights, $"not found; checkpoints here: {string.Join(", ", Checkpoints(files))}");
        var model = ModuleBuilder.Build(spec);
        try
        {
            ModelWeights.Load(model, weights);
            if (device is not null) model.to(device);
            model.eval();
            return (spec, model, config);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public static RunSummary ReadSummary(string runDirectory)
    {
        string path = Open(runDirectory).Summary;
        return RunSummaryChecks.Check(RunJson.Read<RunSummary>(path), path);
    }

    public static IReadOnlyList<EpochMetrics> ReadMetrics(string runDirectory) => new MetricsLog(Open(runDirectory)).Read();

    public static IReadOnlyList<StepMetrics> ReadSteps(string runDirectory) => new MetricsLog(Open(runDirectory)).ReadSteps();

    /// <summary>The run's files after checking it looks like a run directory (spec.json and config.json present).</summary>
    public static RunFiles Open(string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        var files = new RunFiles(Path.GetFullPath(runDirectory));
        if (!Directory.Exists(files.Root)) throw new RunDirectoryException(runDirectory, "no such run directory");
        if (!File.Exists(files.Spec) || !File.Exists(files.Config))
            throw new RunDirectoryException(runDirectory, "is not a run directory (expected spec.json and config.json, written by `scalelab train --out`)");
        return files;
    }

    private static IEnumerable<string> Checkpoints(RunFiles files) => Directory.Exists(files.Checkpoints)
        ? Directory.EnumerateFiles(files.Checkpoints, "*.safetensors")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => !n.Contains('.', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
        : [];
}
