using System.CommandLine;
using ScaleLab.Core;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab sweep SWEEP.json --out DIR` runs a sweep (resuming it when DIR already holds one); `scalelab sweep status DIR` summarises it.</summary>
internal static class SweepCommand
{
    private static readonly Argument<string> SweepFile = new("sweep") { Description = "Sweep spec .json: a base model, training config and axes (docs/sweeps.md, examples/sweeps/)" };
    private static readonly Option<string?> Out = new("--out") { Description = "Sweep directory: results.db, trials/ID (run directories), plans/ (default sweeps/NAME)" };
    private static readonly Option<int> Workers = new("--workers") { Description = "Trials run at once, each its own process (default 1)", DefaultValueFactory = _ => 1 };
    private static readonly Option<int?> Threads = new("--threads") { Description = "CPU threads per trial (default: cores / workers, at least 1)" };
    private static readonly Option<string?> EarlyStop = new("--early-stop") { Description = "median | halving: stop clearly losing trials (overrides the rule in the sweep file)" };

    public static Command Create()
    {
        var command = new Command("sweep",
            "Run a sweep of trials (widths, depths, data, learning rates, seeds), each its own training process, into a SQLite results store. "
            + "Re-running the same command resumes: finished trials are skipped, unfinished ones continue from their last checkpoint.\n\n"
            + "Example:\n  scalelab sweep examples/sweeps/mlp-width.json --out sweeps/mlp-width --workers 2");
        command.Arguments.Add(SweepFile);
        foreach (var option in (Option[])[Out, Workers, Threads, EarlyStop]) command.Options.Add(option);
        command.Subcommands.Add(StatusCommand());
        command.SetAction(async (parse, ct) =>
        {
            var sweep = SweepSpecJson.Load(parse.GetValue(SweepFile)!);
            string directory = OutputFolder.Prepare(parse.GetValue(Out) ?? Path.Combine("sweeps", sweep.Name), "--out");
            var options = new SweepRunOptions(parse.GetValue(Workers), parse.GetValue(Threads), EarlyStopping(parse.GetValue(EarlyStop), sweep));
            if (options.ThreadsPerTrial is < 1) throw new SweepException($"--threads: {options.ThreadsPerTrial} is not valid; expected 1 or more");
            var output = parse.InvocationConfiguration.Output;
            var result = await Task.Run(() => SweepProgressView.Run(output,
                progress => new SweepRunner(directory, TrialCommand.Current(), progress).Run(sweep, options, ct)), ct).ConfigureAwait(false);
            var store = SqliteResultsStore.OpenExisting(result.Directory);
            SweepStatusTable.Write(output, result.Directory, store.Sweeps(), result.Trials);
            return result.Tally.Failed > 0 ? CliApp.ExitUserError : CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>--early-stop sets the rule; the sweep file's early_stopping keeps its other settings.</summary>
    internal static EarlyStoppingOptions? EarlyStopping(string? rule, SweepSpec sweep) => rule switch
    {
        null => sweep.EarlyStopping,
        "median" => (sweep.EarlyStopping ?? new EarlyStoppingOptions(EarlyStoppingRule.Median)) with { Rule = EarlyStoppingRule.Median },
        "halving" => (sweep.EarlyStopping ?? new EarlyStoppingOptions(EarlyStoppingRule.Halving)) with { Rule = EarlyStoppingRule.Halving },
        _ => throw new SweepException($"--early-stop: '{rule}' is not a rule; use median or halving"),
    };

    private static Command StatusCommand()
    {
        var directory = new Argument<string>("dir") { Description = "A sweep directory (holds results.db)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document, schema scalelab.sweep-status/1 (docs/schemas/sweep-status.schema.json)" };
        var status = new Command("status", "Summarise a sweep directory: every trial's settings, status, size, best validation loss and time.\n\n"
            + "Examples:\n  scalelab sweep status sweeps/mlp-width\n  scalelab sweep status sweeps/mlp-width --json");
        status.Arguments.Add(directory);
        status.Options.Add(json);
        status.SetAction(parse =>
        {
            string dir = Path.GetFullPath(parse.GetValue(directory)!);
            var store = SqliteResultsStore.OpenExisting(dir);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(SweepStatusJson.Write(dir, store.Sweeps(), store.Trials()));
            else SweepStatusTable.Write(output, dir, store.Sweeps(), store.Trials());
            return CliApp.ExitOk;
        });
        return status;
    }
}
