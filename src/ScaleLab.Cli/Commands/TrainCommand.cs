using ScaleLab.Core.Runs;
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
internal sealed class TrainCommand
{
    private readonly Argument<string> Target = new("spec") { Description = "A preset name, a model spec .json, or a training config .json with a \"model\" key (examples/train/*.json)" };
    private readonly Option<string?> ConfigFile = new("--config") { Description = "Training config .json (snake_case keys, docs/training.md); options below override it" };
    private readonly Option<string?> Data = new("--data") { Description = "fashion-mnist | mnist | kmnist | csv:PATH | text:PATH | a directory of MNIST-format IDX files" };
    private readonly Option<int?> Epochs = new("--epochs") { Description = "Epochs to train (default 10)" };
    private readonly Option<int?> Batch = new("--batch") { Description = "Mini-batch size (default 64)" };
    private readonly Option<string?> OptimizerName = new("--optimizer") { Description = "sgd | sgd_momentum | adam | adamw | rmsprop | rmsprop_momentum (default adam; the _momentum ones use 0.9 unless the config gives momentum)" };
    private readonly Option<double?> Lr = new("--lr") { Description = "Learning rate (default 0.001)" };
    private readonly Option<string?> Schedule = new("--schedule") { Description = "none | step | cosine | onecycle" };
    private readonly Option<int?> Seed = new("--seed") { Description = "Seed of weights, shuffling and dropout (default 0)" };
    private readonly Option<int?> Threads = new("--threads") { Description = "CPU threads for libtorch (default: the cores free when training starts, stepping down to 1 while other processes compete)" };
    private readonly Option<string?> DeviceName = new("--device") { Description = "cpu | cuda (cuda needs the CUDA libtorch package, docs/training.md)" };
    private readonly Option<long?> Limit = new("--limit") { Description = "Use at most this many training and test samples (quick runs)" };
    private readonly Option<string?> Out = new("--out") { Description = "Run directory (default runs/NAME-yyyyMMdd-HHmmss)" };
    private readonly Option<bool> Resume = new("--resume") { Description = "Continue the run in --out from its last completed epoch" };
    private readonly Option<string> ProgressMode = new("--progress") { Description = "bar | plain | json (one JSON object per line, for a parent process)", DefaultValueFactory = _ => "bar" };

    /// <summary>A new command with its own options: System.CommandLine symbols record their parents, so two commands never share one.</summary>
    public static Command Create() => new TrainCommand().Build();

    private Command Build()
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

    private int Execute(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        string mode = parse.GetValue(ProgressMode)!;
        if (mode is not ("bar" or "plain" or "json")) throw new ScaleLabException($"--progress: '{mode}' is not one of bar, plain, json");
        bool resume = parse.GetValue(Resume);
        string? outDir = parse.GetValue(Out);
        if (resume && outDir is null) throw new ScaleLabException("--resume needs --out DIR, the run directory to continue");

        var overrides = Overrides(parse);
        var (spec, config) = resume && File.Exists(Path.Combine(outDir!, RunFiles.ConfigFile))
            ? TrainingTarget.Resume(outDir!, overrides)
            : TrainingTarget.Resolve(parse.GetValue(Target)!, parse.GetValue(ConfigFile), overrides);
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

    /// <summary>Learning curves and confusion matrix as PNGs in the run directory (ScaleLab.Reports reads the run's files).</summary>
    private static void WritePlots(string runDirectory, TextWriter output, string mode)
    {
        var written = ScaleLab.Reports.RunPlots.WriteForRun(runDirectory);
        if (mode != "json" && written.Count > 0) output.WriteLine($"plots: {string.Join(", ", written.Select(Path.GetFileName))}");
    }

    private TrainingOverrides Overrides(ParseResult parse) => new()
    {
        Data = parse.GetValue(Data),
        Limit = parse.GetValue(Limit),
        Epochs = parse.GetValue(Epochs),
        BatchSize = parse.GetValue(Batch),
        Optimizer = parse.GetValue(OptimizerName) is string optimizer ? OptimizerKindInfo.Parse(optimizer, "--optimizer") : null,
        Lr = parse.GetValue(Lr),
        Schedule = parse.GetValue(Schedule) is string schedule ? TrainingChoices.ParseSchedule(schedule, "--schedule") : null,
        Seed = parse.GetValue(Seed),
        Threads = parse.GetValue(Threads),
        Device = parse.GetValue(DeviceName) is string device ? TrainingChoices.ParseDevice(device, "--device") : null,
    };
}
