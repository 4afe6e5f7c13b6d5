using ScaleLab.Core.Runs;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Checkpoints;
using ScaleLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Runs;

/// <summary>A run's trained model, built and loaded (the tensors side of reading a run; its files are read by Core's <see cref="RunReader"/>). Used by eval, verify and compression.</summary>
public static class RunDirectory
{
    /// <summary>
    /// The run's spec and config, and its model built from the spec with the weights of <paramref name="checkpoint"/>
    /// ("best" or "last") loaded, in eval mode. The caller disposes the model.
    /// </summary>
    public static (ModelSpec Spec, nn.Module<Tensor, Tensor> Model, TrainingConfig Config) LoadModel(string runDirectory, string checkpoint = "best", Device? device = null)
    {
        var files = RunReader.Open(runDirectory);
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

    private static IEnumerable<string> Checkpoints(RunFiles files) => Directory.Exists(files.Checkpoints)
        ? Directory.EnumerateFiles(files.Checkpoints, "*.safetensors")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => !n.Contains('.', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
        : [];
}
