using System.Diagnostics;
using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;
using ScaleLab.Experiments.Tests;
using ScaleLab.Tests.Shared;

// 1. Claim throughput: 16 workers (threads, each with its own store object and connections, as processes would have)
//    claim and finish empty trials until none is left; trials per second, and a check that each was claimed once.
// 2. Per-trial overhead: the same sweep of instant fake trials (one 0 s epoch) run by `scalelab sweep` (SweepRunner,
//    SQLite) and by one `scalelab worker` (SweepWorker) on SQLite and on PostgreSQL: seconds per trial.
// Figures recorded in docs/sweeps.md ("Many machines").
int trials = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4000;
const int Workers = 16, OverheadTrials = 40;
var culture = CultureInfo.InvariantCulture;
string root = Path.Combine(Path.GetTempPath(), "scalelab-bench-claims-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(root);
try
{
    Console.WriteLine(string.Create(culture, $"claim throughput: {trials} empty trials, {Workers} workers, {Environment.ProcessorCount} cores"));
    foreach (var (name, open) in Stores(root))
    {
        var setup = open();
        long sweep = setup.EnsureSweep("claims", null, "{}");
        setup.AddTrials(sweep, Enumerable.Range(0, trials).Select(i => new TrialPlanRow(
            i.ToString("x12", culture), i, "", "{}", "{}", "{}", 0, 0, "/nowhere")));
        var claimed = new int[Workers];
        var clock = Stopwatch.StartNew();
        Parallel.For(0, Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, w =>
        {
            var store = open();
            while (store.Claim($"w{w}", TimeSpan.FromMinutes(5), sweep) is { } lease)
            {
                if (!store.Finish(lease.TrialId, new RunOutcome(TrialStatus.Completed, null, null, []), lease))
                    throw new InvalidOperationException($"lease of {lease.TrialId} lost");
                claimed[w]++;
            }
        });
        clock.Stop();
        var rows = setup.Trials(sweep);
        bool once = rows.All(t => t.Status == TrialStatus.Completed && t.Attempts == 1) && claimed.Sum() == trials;
        Console.WriteLine(string.Create(culture,
            $"  {name,-10} {trials / clock.Elapsed.TotalSeconds,8:F0} claims/s  ({clock.Elapsed.TotalSeconds:F2} s; per worker {claimed.Min()}–{claimed.Max()}; each exactly once: {once})"));
    }

    Console.WriteLine(string.Create(culture, $"per-trial overhead: {OverheadTrials} instant fake trials (1 epoch of 0 s), one worker"));
    var command = FakeTrial.Create(root, epochSeconds: 0);
    string lrs = string.Join(", ", Enumerable.Range(1, OverheadTrials).Select(i => (i / 10_000.0).ToString("R", culture)));
    var spec = SweepSpecJson.Parse($$$"""{"name": "overhead", "model": "pytorch-10-100-1", "training": {"epochs": 1}, "axes": {"lr": [{{{lrs}}}]}}""", "overhead.json", "/");
    var local = Stopwatch.StartNew();
    new SweepRunner(Path.Combine(root, "local"), command, SilentSweepProgress.Instance).Run(spec, new SweepRunOptions(1, 1), CancellationToken.None);
    Report("sweep (SQLite)", local.Elapsed, null);
    foreach (var (name, open) in Stores(root))
    {
        var store = open();
        SweepSubmission.Submit(spec, store, Path.Combine(root, "worker-" + name));
        var clock = Stopwatch.StartNew();
        var result = new SweepWorker(store, command, SilentSweepProgress.Instance).Run(new WorkerOptions("overhead"), CancellationToken.None);
        Report($"worker ({name})", clock.Elapsed, result);
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

void Report(string what, TimeSpan elapsed, WorkerResult? result) => Console.WriteLine(string.Create(culture,
    $"  {what,-20} {elapsed.TotalMilliseconds / OverheadTrials,7:F1} ms/trial ({elapsed.TotalSeconds:F2} s{(result is null ? "" : $"; {result.Completed} completed")})"));

static IEnumerable<(string Name, Func<IResultsStore> Open)> Stores(string root)
{
    string file = Path.Combine(root, Guid.NewGuid().ToString("N")[..6], SqliteResultsStore.FileName);
    yield return ("SQLite", () => SqliteResultsStore.OpenFile(file));
    string url = PostgresServer.Instance.CreateDatabase();
    yield return ("PostgreSQL", () => StoreLocation.Parse(url).Open());
}
