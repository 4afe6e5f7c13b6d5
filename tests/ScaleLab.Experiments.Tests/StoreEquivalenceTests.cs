using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Experiments.Tests;

/// <summary>One sweep run by a worker on each store: the two databases end up holding the same rows.</summary>
public sealed class StoreEquivalenceTests
{
    [Fact]
    public void PostgresStore_AfterTheSameSweep_HoldsWhatTheSqliteStoreHolds()
    {
        using var dir = new TempDirectory();
        var command = FakeTrial.Create(dir.Path);
        var sweep = SweepWorkerContract.Sweep("0.001, 0.002, 0.5, 0.004", extra: """, "max_attempts": 1""");
        var sqlite = SqliteResultsStore.Open(Path.Combine(dir.Path, "sqlite"));
        using var postgres = (PostgresResultsStore)StoreLocation.Parse(ScaleLab.Tests.Shared.PostgresServer.Instance.CreateDatabase()).Open();

        foreach (var (store, name) in new (IResultsStore, string)[] { (sqlite, "sqlite"), (postgres, "postgres") })
        {
            SweepSubmission.Submit(sweep, store, Path.Combine(dir.Path, name));
            new SweepWorker(store, command, SilentSweepProgress.Instance).Run(new WorkerOptions("fake", WorkerId: "w"), CancellationToken.None);
        }

        var expected = Comparable(sqlite);
        Assert.Equal(4, expected.Trials.Count);
        Assert.Equal([TrialStatus.Completed, TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Completed], expected.Trials.Select(t => t.Status));
        Assert.Equal("trial process exited with code 3 before finishing: boom: lr 0.5 is cursed", expected.Trials[2].Message);
        Assert.Equal(expected.Trials, Comparable(postgres).Trials);
        Assert.Equal(expected.Epochs, Comparable(postgres).Epochs);
        Assert.Equal(expected.Sweep, Comparable(postgres).Sweep);
    }

    /// <summary>The rows without what differs by design: times, the process id, and where the sweep directory was.</summary>
    private static (object Sweep, List<TrialRecord> Trials, List<EpochMetrics> Epochs) Comparable(IResultsStore store)
    {
        var sweep = store.Sweeps().Single();
        var trials = store.Trials().Select(t => t with
        {
            SweepId = 0, Plan = t.Plan with { RunDirectory = Path.GetFileName(t.Plan.RunDirectory) },
            Result = t.Result is null ? null : t.Result with { RunDirectory = Path.GetFileName(t.Result.RunDirectory) }, ProcessId = null, QueuedUtc = default, StartedUtc = null,
            FinishedUtc = null, LeaseExpiresUtc = null,
        }).ToList();
        var epochs = store.AllEpochs().SelectMany(e => e.Value).ToList();
        return ((sweep.Name, sweep.Description, sweep.SpecJson, sweep.MaxAttempts), trials, epochs);
    }
}
