using System.CommandLine;
using System.Globalization;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab worker --store URL`: claims and runs trials of a shared store until none is left (docs/sweeps.md, "Many machines").</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var store = StoreOption.Create();
        var sweep = StoreOption.CreateSweepName();
        var threads = new Option<int>("--threads") { Description = "CPU threads of each trial (default 1)", DefaultValueFactory = _ => 1 };
        var maxTrials = new Option<int?>("--max-trials") { Description = "Stop after claiming this many trials (default: no limit)" };
        var wait = new Option<bool>("--wait") { Description = "When nothing is claimable, poll until every trial is final (picks up trials of workers that died)" };
        var lease = new Option<double>("--lease") { Description = "Lease length in seconds, renewed every third of it; a dead worker's trial is claimable after it (default 60)", DefaultValueFactory = _ => WorkerOptions.DefaultLease.TotalSeconds };
        var poll = new Option<double>("--poll") { Description = "Seconds between polls with --wait (default 5)", DefaultValueFactory = _ => WorkerOptions.DefaultPollInterval.TotalSeconds };
        var dir = new Option<string?>("--dir") { Description = "Sweep directory for run directories here, when the submitted one is not shared storage (trials then resume from the start)" };
        var command = new Command("worker",
            "Claim trials from a shared results store and run them one at a time, each its own `scalelab train` process, holding a lease "
            + "renewed by heartbeat; exits when nothing is left. Start one per machine or GPU, e.g. as a Slurm job array or a Kubernetes Job "
            + "(examples/cluster/).\n\n"
            + "Examples:\n  scalelab worker --store postgresql://scalelab@db:5432/study --sweep mlp-width --threads 4\n"
            + "  scalelab worker --store sqlite:sweeps/mlp-width/results.db --max-trials 2");
        foreach (var o in (Option[])[store, sweep, threads, maxTrials, wait, lease, poll, dir]) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var location = StoreOption.Resolve(parse, store)
                ?? throw new StoreException($"--store: no store given; pass --store postgresql://USER@HOST:PORT/DB (or sqlite:PATH) or set ${StoreLocation.EnvironmentVariable}");
            double leaseSeconds = parse.GetValue(lease), pollSeconds = parse.GetValue(poll);
            if (!(leaseSeconds >= 1)) throw new SweepException($"--lease: {F(leaseSeconds)} is not valid; expected 1 second or more");
            if (!(pollSeconds > 0)) throw new SweepException($"--poll: {F(pollSeconds)} is not valid; expected more than 0 seconds");
            var options = new WorkerOptions(parse.GetValue(sweep), parse.GetValue(threads), parse.GetValue(maxTrials), parse.GetValue(wait),
                TimeSpan.FromSeconds(leaseSeconds), TimeSpan.FromSeconds(pollSeconds),
                parse.GetValue(dir) is { } d ? Path.GetFullPath(d) : null);
            var output = parse.InvocationConfiguration.Output;
            var opened = location.Open();
            output.WriteLine($"worker on {location.Display}" + (options.SweepName is { } n ? $", sweep {n}" : ", every sweep"));
            var result = await Task.Run(() => SweepProgressView.Run(output,
                progress => new SweepWorker(opened, TrialCommand.Current(), progress).Run(options, ct)), ct).ConfigureAwait(false);
            output.WriteLine($"worker {result.WorkerId}: {result.Claimed} claimed, {result.Completed} completed, {result.StoppedEarly} stopped early, "
                + $"{result.Failed} failed, {result.Lost} lost to another worker");
            (opened as IDisposable)?.Dispose();
            return result.Failed > 0 ? CliApp.ExitUserError : CliApp.ExitOk;
        });
        return command;
    }

    private static string F(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}
