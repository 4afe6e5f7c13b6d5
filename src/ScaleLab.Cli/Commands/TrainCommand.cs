using ScaleLab.Core.Accounting;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using ScaleLab.Core.Targets;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab train SPEC`: trains a spec (or a training config naming one) into a run directory.</summary>
internal static class TrainCommand
{
    private static readonly Argument<string> Target = new("spec") { Description = "A preset name, a model spec .json, or a training config .json with a \"model\" key (examples/train/*.json)" };
    private static readonly Option<string?> ConfigFile = new("--config") { Description = "Training config .json (snake_case keys, docs/training.md); options below override it" };
    private static readonly Option<string?> Data = new("--data") { Description = "fashion-mnist | mnist | kmnist | csv:PATH | text:PATH | a directory of MNIST-format IDX files" };
    private static readonly Option<int?> Epochs = new("--epochs") { Description = "Epochs to train (default 10)" };
    private static readonly Option<int?> Batch = new("--batch") { Description = "Mini-batch size (default 64)" };
    private static readonly Option<string?> OptimizerName = new("--optimizer") { Description = "sgd | sgd_momentum | adam | adamw | rmsprop | rmsprop_momentum (default adam; the _momentum ones use 0.9 unless the config gives momentum)" };
    private static readonly Option<double?> Lr = new("--lr") { Description = "Learning rate (default 0.001)" };
    private static readonly Option<string?> Schedule = new("--schedule") { Description = "none | step | cosine | onecycle" };
    private static readonly Option<int?> Seed = new("--seed") { Description = "Seed of weights, shuffling and dropout (default 0)" };
    private static readonly Option<int?> Threads = new("--threads") { Description = "CPU threads for libtorch (default: the cores free when training starts, stepping down to 1 while other processes compete)" };
    private static readonly Option<string?> DeviceName = new("--device") { Description = "cpu | cuda (cuda needs the CUDA libtorch package, docs/training.md)" };
    private static readonly Option<long?> Limit = new("--limit") { Description = "Use at most this many training and test samples (quick runs)" };
    private static readonly Option<string?> Out = new("--out") { Description = "Run directory (default runs/NAME-yyyyMMdd-HHmmss)" };
    private static readonly Option<bool> Resume = new("--resume") { Description = "Continue the run in --out from its last completed epoch" };
    private static readonly Option<string> ProgressMode = new("--progress") { Description = "bar | plain | json (one JSON object per line, for a parent process)", DefaultValueFactory = _ => "bar" };

    public static Command Create()
    {
        var command = new Command("train",
            "Train a model on real data: checkpoints each epoch, metrics (CSV, JSONL, TensorBoard), plots and a summary in the run directory.\n\n" +
            "Example:\n  scalelab train examples/train/mlp-fashion-mnist.json --epochs 2 --out runs/mlp");
        command.Arguments.Add(Target);
        foreach (var option in new Option[] { ConfigFile, Data, Epochs, Batch, OptimizerName, Lr, Schedule, Seed, Threads, DeviceName, Limit, Out, Resume, ProgressMode })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => Execute(parse));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        string mode = parse.GetValue(ProgressMode)!;
        if (mode is not ("bar" or "plain" or "json")) throw new ScaleLabException($"--progress: '{mode}' is not one of bar, plain, json");
        bool resume = parse.GetValue(Resume);
        string? outDir = parse.GetValue(Out);
        if (resume && outDir is null) throw new ScaleLabException("--resume needs --out DIR, the run directory to continue");

        ModelSpec spec;
        TrainingConfig config;
        if (resume && File.Exists(Path.Combine(outDir!, "config.json")))
        {
            // A resumed run keeps its own spec and config; only the epoch count, threads and device may change.
            var files = RunDirectory.Open(outDir!);
            spec = ModelSpecJson.Load(files.Spec);
            config = TrainingConfigJson.Load(files.Config);
            config = config with
            {
                Epochs = parse.GetValue(Epochs) ?? config.Epochs,
                Threads = parse.GetValue(Threads) ?? config.Threads,
                Device = parse.GetValue(DeviceName) ?? config.Device,
            };
        }
        else
        {
            (spec, config) = ResolveSpecAndConfig(parse.GetValue(Target)!, parse.GetValue(ConfigFile));
            config = ApplyOverrides(parse, config);
        }

        TrainingConfigValidator.Validate(config, "command line");
        // A model's name may be anything (a Hugging Face _name_or_path): the default folder uses a safe form of it.
        string runDirectory = OutputFolder.Prepare(
            outDir ?? Path.Combine("runs", $"{PathName.Sanitize(spec.Name)}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}"), "--out");

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var summary = TrainProgressView.Run(mode, output, progress => Trainer.Run(spec, config, runDirectory, resume, progress, cancel.Token));
            if (mode != "json") TrainSummaryTable.Write(output, summary, spec);
            if (summary.Status != RunStatus.Diverged) WritePlots(summary.RunDirectory, output, mode);
            if (summary.Status == RunStatus.Diverged) throw new ScaleLabException(summary.Message ?? "the run diverged");
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>SPEC is a model (preset, spec file, HF config) or a training config whose "model" names one, relative to the config file.</summary>
    internal static (ModelSpec Spec, TrainingConfig Config) ResolveSpecAndConfig(string target, string? configPath)
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
        var other => throw new ScaleLabException($"{text}: a checkpoint, not a model spec; train takes a preset name or a spec .json"),
    };

    /// <summary>csv:/text: paths in a config file are relative to the config file, like its "model".</summary>
    private static TrainingConfig RelativeData(TrainingConfig config, string baseDir)
    {
        string name = config.Data.Name;
        foreach (string prefix in (string[])["csv:", "text:"])
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string path = name[prefix.Length..].Split(';')[0];
            string candidate = Path.Combine(baseDir, path);
            if (!Path.IsPathRooted(path) && File.Exists(candidate))
                return config with { Data = config.Data with { Name = prefix + Path.GetFullPath(candidate) + name[(prefix.Length + path.Length)..] } };
        }

        return config;
    }

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

    /// <summary>Learning curves and confusion matrix as PNGs in the run directory (ScaleLab.Reports reads the run's files).</summary>
    private static void WritePlots(string runDirectory, TextWriter output, string mode)
    {
        var written = ScaleLab.Reports.RunPlots.WriteForRun(runDirectory);
        if (mode != "json" && written.Count > 0) output.WriteLine($"plots: {string.Join(", ", written.Select(Path.GetFileName))}");
    }

    private static TrainingConfig ApplyOverrides(ParseResult parse, TrainingConfig c)
    {
        string? data = parse.GetValue(Data);
        var dataConfig = c.Data;
        if (data is not null)
        {
            dataConfig = Directory.Exists(data) ? dataConfig with { Name = "fashion-mnist", Directory = data } : dataConfig with { Name = data, Directory = null };
        }

        if (parse.GetValue(Limit) is long limit) dataConfig = dataConfig with { Limit = limit };
        return c with
        {
            Data = dataConfig,
            Epochs = parse.GetValue(Epochs) ?? c.Epochs,
            BatchSize = parse.GetValue(Batch) ?? c.BatchSize,
            Optimizer = parse.GetValue(OptimizerName) is string optimizer ? OptimizerKindInfo.Parse(optimizer, "--optimizer") : c.Optimizer,
            Lr = parse.GetValue(Lr) ?? c.Lr,
            Schedule = parse.GetValue(Schedule) ?? c.Schedule,
            Seed = parse.GetValue(Seed) ?? c.Seed,
            Threads = parse.GetValue(Threads) ?? c.Threads,
            Device = parse.GetValue(DeviceName) ?? c.Device,
        };
    }
}
