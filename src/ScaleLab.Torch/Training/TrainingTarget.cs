using System.Text.Json;
using ScaleLab.Core;
using ScaleLab.Core.Data;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Spec;
using ScaleLab.Core.Targets;

namespace ScaleLab.Torch.Training;

/// <summary>
/// What `scalelab train TARGET [--config FILE] [options]` trains, resolved by the library so any caller gets the same
/// answer: TARGET is a model (preset, spec file, Hugging Face config) or a training config whose "model" names one
/// (relative to the config file, as its csv:/text: data paths are); command-line overrides apply last. A resumed run
/// keeps its own spec and config; only the epoch count, threads and device may change.
/// </summary>
public static class TrainingTarget
{
    /// <summary>The model and config of a new run.</summary>
    public static (ModelSpec Spec, TrainingConfig Config) Resolve(string target, string? configPath, TrainingOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(overrides);
        var (spec, config) = ResolveSpecAndConfig(target, configPath);
        config = overrides.Apply(config);
        TrainingConfigValidator.Validate(config, "command line");
        return (spec, config);
    }

    /// <summary>The model and config of the run in <paramref name="runDirectory"/>, to continue it.</summary>
    public static (ModelSpec Spec, TrainingConfig Config) Resume(string runDirectory, TrainingOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var files = RunReader.Open(runDirectory);
        var config = TrainingConfigJson.Load(files.Config);
        config = config with
        {
            Epochs = overrides.Epochs ?? config.Epochs,
            Threads = overrides.Threads ?? config.Threads,
            Device = overrides.Device ?? config.Device,
        };
        TrainingConfigValidator.Validate(config, "command line");
        return (ModelSpecJson.Load(files.Spec), config);
    }

    private static (ModelSpec Spec, TrainingConfig Config) ResolveSpecAndConfig(string target, string? configPath)
    {
        var config = configPath is null ? new TrainingConfig() : TrainingConfigJson.Load(configPath);
        if (File.Exists(target) && IsTrainingConfig(target))
        {
            if (configPath is not null) throw new ScaleLabException($"{target} is a training config; give either it or --config, not both");
            config = TrainingConfigJson.Load(target);
            if (config.Model is null) throw new TrainingConfigException(target, "model: missing; name a preset or a spec file (relative to this config)");
            string baseDir = Path.GetDirectoryName(Path.GetFullPath(target))!;
            string relative = Path.Combine(baseDir, config.Model);
            return (ResolveModel(File.Exists(relative) ? relative : config.Model), RelativeData(config, baseDir));
        }

        return (ResolveModel(target), config);
    }

    private static ModelSpec ResolveModel(string text) => TargetResolver.Resolve(text) switch
    {
        ModelTarget model => model.Spec,
        _ => throw new ScaleLabException($"{text}: a checkpoint, not a model spec; train takes a preset name or a spec .json"),
    };

    /// <summary>
    /// csv:/text: paths in a config file are relative to the config file, like its "model" — where the file is there;
    /// otherwise the path stays relative to the working directory (<see cref="PathAnchoring.WhereFileExists"/>).
    /// </summary>
    private static TrainingConfig RelativeData(TrainingConfig config, string baseDir) =>
        config with { Data = config.Data with { Source = config.Data.Source.WithPathsRelativeTo(baseDir, PathAnchoring.WhereFileExists) } };

    private static bool IsTrainingConfig(string path)
    {
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("layers", out _) && !root.TryGetProperty("transformer", out _)
                && !root.TryGetProperty("model_type", out _) && (root.TryGetProperty("model", out _) || root.TryGetProperty("epochs", out _));
        }
        catch (JsonException)
        {
            return false;   // not JSON at all: the spec reader reports it with a line number
        }
    }
}

/// <summary>
/// The options of `scalelab train` that override a config (null: keep the config's). Data is a --data value: a source
/// (fashion-mnist, csv:PATH, text:PATH) or a directory of MNIST-format IDX files (<see cref="Data.DataRequest.ParseArgument"/>).
/// </summary>
public sealed record TrainingOverrides
{
    public string? Data { get; init; }
    public long? Limit { get; init; }
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public Core.Accounting.OptimizerKind? Optimizer { get; init; }
    public double? Lr { get; init; }
    public ScheduleKind? Schedule { get; init; }
    public int? Seed { get; init; }
    public int? Threads { get; init; }
    public ComputeDevice? Device { get; init; }

    public TrainingConfig Apply(TrainingConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var data = c.Data;
        if (Data is not null)
        {
            var (source, directory) = Torch.Data.DataRequest.ParseArgument(Data);
            data = data with { Source = source, Directory = directory };
        }
        if (Limit is long limit) data = data with { Limit = limit };
        return c with
        {
            Data = data,
            Epochs = Epochs ?? c.Epochs,
            BatchSize = BatchSize ?? c.BatchSize,
            Optimizer = Optimizer ?? c.Optimizer,
            Lr = Lr ?? c.Lr,
            Schedule = Schedule ?? c.Schedule,
            Seed = Seed ?? c.Seed,
            Threads = Threads ?? c.Threads,
            Device = Device ?? c.Device,
        };
    }
}
