using System.CommandLine;
using ScaleLab.Core.Runs;
using ScaleLab.Core;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab sweep SWEEP.json --out DIR` runs a sweep (resuming it when DIR already holds one); `scalelab sweep status DIR` summarises it.</summary>
internal sealed class SweepCommand
{
    private readonly Argument<string> SweepFile = new("sweep") { Description = "Sweep spec .json: a base model, training config and axes (docs/sweeps.md, examples/sweeps/)" };
    private readonly Option<string?> Out = new("--out") { Description = "Sweep directory: results.db, trials/ID (run directories), plans/ (default sweeps/NAME)" };
    private readonly Option<int> Workers = new("--workers") { Description = "Trials run at once, each its own process (default 1)", DefaultValueFactory = _ => 1 };
    private readonly Option<int?> Threads = new("--threads") { Description = "CPU threads per trial (default: cores / workers, at least 1)" };
    private readonly Option<string?> EarlyStop = new("--early-stop") { Description = "median | halving: stop clearly losing trials (overrides the rule in the sweep file)" };
    private readonly Option<string?> Store = StoreOption.Create();
    private readonly Option<bool> Submit = new("--submit") { Description = "Only register the sweep and enqueue its trials in --store (idempotent); `scalelab worker` runs them" };

    /// <summary>A new command with its own options: System.CommandLine symbols record their parents, so two commands never share one.</summary>
    public static Command Create() => new SweepCommand().Build();

    private Command Build()
    {
        var command = new Command("sweep",
            "Run a sweep of trials (widths, depths, data, learning rates, seeds), each its own training process, into a SQLite results store. "
            + "Re-running the same command resumes: finished trials are skipped, unfinished ones continue from their last checkpoint.\n\n"
            + "With --store URL --submit it only enqueues the trials in a shared store, for `scalelab worker` processes on any machine.\n\n"
            + "Examples:\n  scalelab sweep examples/sweeps/mlp-width.json --out sweeps/mlp-width --workers 2\n"
            + "  scalelab sweep examples/sweeps/mlp-width.json --out /shared/sweeps/mlp-width --store postgresql://scalelab@db:5432/study --submit");
        command.Arguments.Add(SweepFile);
        foreach (var option in (Option[])[Out, Workers, Threads, EarlyStop, Store, Submit]) command.Options.Add(option);
        command.Subcommands.Add(StatusCommand());
        command.SetAction(async (parse, ct) =>
        {
            var sweep = SweepSpecJson.Load(parse.GetValue(SweepFile)!);
            var location = StoreOption.Resolve(parse, Store);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(Submit)) return SubmitOnly(output, sweep, location, parse.GetValue(Out));
            string directory = OutputFolder.Prepare(parse.GetValue(Out) ?? Path.Combine("sweeps", sweep.Name), "--out");
            var options = new SweepRunOptions(parse.GetValue(Workers), parse.GetValue(Threads), EarlyStopping(parse.GetValue(EarlyStop), sweep));
            if (options.ThreadsPerTrial is < 1) throw new SweepException($"--threads: {options.ThreadsPerTrial} is not valid; expected 1 or more");
            var result = await Task.Run(() => SweepProgressView.Run(output,
                progress => new SweepRunner(directory, TrialCommand.Current(), progress, location).Run(sweep, options, ct)), ct).ConfigureAwait(false);
            var store = location?.OpenExisting() ?? SqliteResultsStore.OpenExisting(result.Directory);
            SweepStatusTable.Write(output, result.Directory, store.Location, store.Sweeps().Where(s => s.Name == sweep.Name).ToList(), result.Trials);
            return result.Tally.Failed > 0 ? CliApp.ExitUserError : CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>`sweep SPEC --store URL --submit`: registers and enqueues, runs nothing.</summary>
    private static int SubmitOnly(TextWriter output, SweepSpec sweep, StoreLocation? location, string? outOption)
    {
        if (location is null)
            throw new StoreException($"--submit: no store given; pass --store postgresql://USER@HOST:PORT/DB (or sqlite:PATH) or set ${StoreLocation.EnvironmentVariable}");
        // The run directories go under --out: on a cluster, a path every worker sees (shared storage).
        string directory = Path.GetFullPath(outOption ?? Path.Combine("sweeps", sweep.Name));
        var store = location.Open();
        var submitted = SweepSubmission.Submit(sweep, store, directory);
        output.WriteLine($"sweep {sweep.Name}: {submitted.Plans.Count} trials, {submitted.Added} new, {submitted.Plans.Count - submitted.Added} already in {store.Location}; run directories under {directory}");
        output.WriteLine($"start workers: scalelab worker --store {store.Location} --sweep {sweep.Name}");
        (store as IDisposable)?.Dispose();
        return CliApp.ExitOk;
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
        var directory = new Argument<string?>("dir") { Description = "A sweep directory (holds results.db); or give --store", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print one JSON document, schema scalelab.sweep-status/1 (docs/schemas/sweep-status.schema.json)" };
        var store = StoreOption.Create();
        var name = StoreOption.CreateSweepName();
        var status = new Command("status", "Summarise a sweep: every trial's settings, status, size, best validation loss, time and tries, "
            + "from its directory's results.db or from a shared store (run directories are not read).\n\n"
            + "Examples:\n  scalelab sweep status sweeps/mlp-width\n  scalelab sweep status sweeps/mlp-width --json\n"
            + "  scalelab sweep status --store postgresql://scalelab@db:5432/study --sweep mlp-width");
        status.Arguments.Add(directory);
        foreach (var o in (Option[])[json, store, name]) status.Options.Add(o);
        status.SetAction(parse =>
        {
            var (dir, opened, sweeps, trials) = ReadStatus(parse.GetValue(directory), StoreOption.Resolve(parse, store), parse.GetValue(name));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(SweepStatusJson.Write(dir, opened.Location, sweeps, trials));
            else SweepStatusTable.Write(output, dir, opened.Location, sweeps, trials);
            (opened as IDisposable)?.Dispose();
            return CliApp.ExitOk;
        });
        return status;
    }

    /// <summary>The store and rows `sweep status` shows: a directory's results.db, or --store (one sweep of it with --sweep).</summary>
    private static (string Directory, IResultsStore Store, IReadOnlyList<SweepRecord> Sweeps, IReadOnlyList<TrialRecord> Trials) ReadStatus(
        string? directory, StoreLocation? location, string? sweepName)
    {
        if (directory is not null && location is null)
        {
            string dir = Path.GetFullPath(directory);
            var local = SqliteResultsStore.OpenExisting(dir);
            return (dir, local, local.Sweeps(), local.Trials());
        }
        if (location is null) throw new StoreException("sweep status: give a sweep directory (scalelab sweep status DIR) or --store URL");
        var store = location.OpenExisting();
        var sweeps = store.Sweeps();
        if (sweepName is null) return (directory ?? (sweeps.Count == 1 ? sweeps[0].Directory : null) ?? store.Location, store, sweeps, store.Trials());
        var sweep = sweeps.FirstOrDefault(s => s.Name == sweepName)
            ?? throw new StoreException($"{store.Location}: no sweep named '{sweepName}'; it holds {(sweeps.Count == 0 ? "none" : string.Join(", ", sweeps.Select(s => s.Name)))}");
        return (sweep.Directory ?? store.Location, store, [sweep], store.Trials(sweep.Id));
    }
}
