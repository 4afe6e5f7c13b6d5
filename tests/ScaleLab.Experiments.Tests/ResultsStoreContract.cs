using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Experiments.Tests;

/// <summary>
/// What every <see cref="IResultsStore"/> does, run against each implementation (SqliteResultsStoreContractTests,
/// PostgresResultsStoreContractTests): the same calls, the same rows back. Expired leases are made with a negative
/// lease length, so no test waits for a clock.
/// </summary>
public abstract class ResultsStoreContract
{
    /// <summary>A new, empty store.</summary>
    protected abstract IResultsStore CreateStore();

    /// <summary>The same store opened again, as another process would.</summary>
    protected abstract IResultsStore Reopen(IResultsStore store);

    internal static TrialPlanRow Row(string id, int index) =>
        new(id, index, $"width={index}", "{\"width\":" + index + "}", "{\"name\":\"m\"}", "{\"epochs\":2}", 1000L * (index + 1), 2000L * (index + 1), "/runs/" + id);

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1), Expired = TimeSpan.FromSeconds(-1);

    [Fact]
    public void Store_RoundTripsATrialItsOutcomeAndItsEpochs()
    {
        var store = CreateStore();
        long sweep = store.EnsureSweep("mlp-width", "widths", "{\"name\":\"mlp-width\"}", "/sweeps/mlp-width", 3);
        store.AddTrials(sweep, [Row("aaaa", 0), Row("bbbb", 1)]);
        store.MarkRunning("bbbb", 4242);
        var epochs = new[]
        {
            new EpochMetrics(1, 100, 0.9, 0.7, 0.8, 0.72, 1e-3, 3.5, 1800),
            new EpochMetrics(2, 200, 0.6, 0.8, 0.65, 0.8, 1e-3, 3.25, 1900),
        };
        var summary = new RunSummary
        {
            Status = RunStatus.Completed, Parameters = 2000, EpochsCompleted = 2, Steps = 200, SamplesSeen = 12800, TrainingFlops = 1.5e11,
            StepSecondsMean = 0.034, TrainSeconds = 6.75, PeakRssBytes = 512L << 20, Final = epochs[1], Best = new BestEpoch(2, 0.65),
            Test = new TestMetrics(1000, 0.66, 0.79, null, 5, null, null, null), RunDirectory = "/runs/bbbb",
        };
        store.Finish("bbbb", new RunOutcome(TrialStatus.Completed, null, summary, epochs));

        var reopened = Reopen(store);
        var trials = reopened.Trials();
        Assert.Equal(["aaaa", "bbbb"], trials.Select(t => t.Id));
        Assert.Equal(TrialStatus.Queued, trials[0].Status);
        var b = trials[1];
        Assert.Equal((TrialStatus.Completed, 1, (int?)null, 2000L, 4000L, 2),
            (b.Status, b.Attempts, b.ProcessId, b.Plan.EstimatedParameters, b.Plan.ForwardFlopsPerSample, b.EpochsCompleted));
        // The store row holds the run's summary.json whole: the same record comes back.
        Assert.Equal(summary, b.Result);
        Assert.Equal(("width=1", "{\"width\":1}", "/runs/bbbb"), (b.Plan.Label, b.Plan.AxesJson, b.Plan.RunDirectory));
        Assert.NotNull(b.WallTime);
        Assert.Equal(epochs, reopened.Epochs("bbbb"));
        var s = reopened.Sweeps().Single();
        Assert.Equal(("mlp-width", "widths", "/sweeps/mlp-width", 3), (s.Name, s.Description, s.Directory, s.MaxAttempts));
        Assert.Equal(s, reopened.Sweep("mlp-width"));
        Assert.Null(reopened.Sweep("other"));
    }

    [Fact]
    public void AddTrials_TwiceAddsNothingAndKeepsTheStatusOfATrialAlreadyStored()
    {
        var store = CreateStore();
        long sweep = store.EnsureSweep("s", null, "{}");
        Assert.Equal(1, store.AddTrials(sweep, [Row("aaaa", 0)]));
        store.MarkFailed("aaaa", "boom");

        Assert.Equal(1, store.AddTrials(sweep, [Row("aaaa", 3), Row("bbbb", 4)]));

        var t = store.Trial("aaaa")!;
        Assert.Equal((TrialStatus.Failed, "boom", 3), (t.Status, t.Message, t.Plan.Index));
        Assert.Equal(sweep, store.EnsureSweep("s", null, "{}"));
        Assert.Equal(2, store.Trials().Count);
    }

    [Fact]
    public void Should_Say_Which_Trial_Is_Unknown()
    {
        var store = CreateStore();
        var error = Assert.Throws<StoreException>(() => store.MarkFailed("zzzz", "boom"));
        Assert.Equal($"{store.Location}: no trial with id 'zzzz'", error.Message);
    }

    [Fact]
    public void Claim_TakesTrialsInPlanOrderOnceEachThenNothing()
    {
        var store = CreateStore();
        long sweep = store.EnsureSweep("s", null, "{}");
        store.AddTrials(sweep, [Row("cccc", 2), Row("aaaa", 0), Row("bbbb", 1)]);

        var claims = new[] { store.Claim("w1", Minute), store.Claim("w2", Minute), store.Claim("w1", Minute), store.Claim("w2", Minute) };

        Assert.Equal(["aaaa", "bbbb", "cccc", null], claims.Select(c => c?.TrialId));
        var a = store.Trial("aaaa")!;
        Assert.Equal((TrialStatus.Running, "w1", 1), (a.Status, a.Worker, a.Attempts));
        Assert.True(a.LeaseExpiresUtc > DateTime.UtcNow);
    }

    [Fact]
    public void Claim_OfOneSweep_LeavesTheOthersTrials()
    {
        var store = CreateStore();
        long first = store.EnsureSweep("first", null, "{}"), second = store.EnsureSweep("second", null, "{}");
        store.AddTrials(first, [Row("aaaa", 0)]);
        store.AddTrials(second, [Row("bbbb", 0)]);

        Assert.Equal("bbbb", store.Claim("w", Minute, second)?.TrialId);
        Assert.Null(store.Claim("w", Minute, second));
        Assert.Equal("aaaa", store.Claim("w", Minute)?.TrialId);
    }

    [Fact]
    public void Claim_AfterTheLeaseExpired_GivesTheTrialToAnotherWorkerAndRefusesTheFirstOnesWrites()
    {
        var store = CreateStore();
        long sweep = store.EnsureSweep("s", null, "{}");
        store.AddTrials(sweep, [Row("aaaa", 0)]);
        var dead = store.Claim("dead", Expired)!;
        Assert.True(store.MarkRunning("aaaa", 4242, dead));

        var taken = store.Claim("alive", Minute)!;

        Assert.Equal(("aaaa", 2, (int?)4242), (taken.TrialId, taken.Attempt, taken.PreviousProcessId));
        Assert.False(store.Renew(dead, Minute));
        Assert.False(store.RecordEpoch("aaaa", new EpochMetrics(1, 10, 1, null, 1, null, 1e-3, 1, 1), dead));
        Assert.False(store.Finish("aaaa", new RunOutcome(TrialStatus.Completed, null, null, []), dead));
        Assert.False(store.MarkQueued("aaaa", "interrupted", dead));
        Assert.Empty(store.Epochs("aaaa"));
        Assert.True(store.Renew(taken, Minute));
        Assert.True(store.RecordEpoch("aaaa", new EpochMetrics(1, 10, 1, null, 1, null, 1e-3, 1, 1), taken));
        Assert.True(store.Finish("aaaa", new RunOutcome(TrialStatus.Completed, null, null, store.Epochs("aaaa")), taken));
        var t = store.Trial("aaaa")!;
        Assert.Equal((TrialStatus.Completed, "alive", 2, 1, (DateTime?)null), (t.Status, t.Worker, t.Attempts, t.EpochsCompleted, t.LeaseExpiresUtc));
        Assert.Null(store.Claim("third", Minute));
    }

    [Fact]
    public void Claim_WhileTheLeaseHolds_PassesTheTrialOver()
    {
        var store = CreateStore();
        long sweep = store.EnsureSweep("s", null, "{}");
        store.AddTrials(sweep, [Row("aaaa", 0)]);
        var held = store.Claim("w1", Minute)!;

        Assert.Null(store.Claim("w2", Minute));
        Assert.True(store.MarkQueued("aaaa", "interrupted", held));
        Assert.Equal(("aaaa", 2), (store.Claim("w2", Minute)!.TrialId, store.Trial("aaaa")!.Attempts));
    }

    [Fact]
    public void Claim_RetriesAFailedTrialUntilItHasHadTheSweepsAttempts()
    {
        var store = CreateStore();
        long sweep = store.EnsureSweep("s", null, "{}", maxAttempts: 2);
        store.AddTrials(sweep, [Row("aaaa", 0)]);

        var first = store.Claim("w", Minute)!;
        store.MarkFailed("aaaa", "boom", first);
        var second = store.Claim("w", Minute)!;
        store.MarkFailed("aaaa", "boom again", second);

        Assert.Equal((1, 2), (first.Attempt, second.Attempt));
        Assert.Null(store.Claim("w", Minute));
        Assert.Equal((TrialStatus.Failed, "boom again"), (store.Trial("aaaa")!.Status, store.Trial("aaaa")!.Message));
    }

    [Fact]
    public void Claim_FromEightThreadsAtOnce_HandsOutEveryTrialExactlyOnce()
    {
        var store = CreateStore();
        long sweep = store.EnsureSweep("s", null, "{}");
        const int trials = 60, workers = 8;
        store.AddTrials(sweep, Enumerable.Range(0, trials).Select(i => Row($"t{i:D3}", i)));
        var claimed = new System.Collections.Concurrent.ConcurrentBag<(string Worker, string Trial)>();

        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var own = Reopen(store);
            while (own.Claim($"w{w}", Minute) is { } lease)
            {
                claimed.Add(($"w{w}", lease.TrialId));
                Assert.True(own.Finish(lease.TrialId, new RunOutcome(TrialStatus.Completed, null, null, []), lease));
            }
        });

        Assert.Equal(trials, claimed.Count);
        Assert.Equal(trials, claimed.Select(c => c.Trial).Distinct().Count());
        Assert.All(store.Trials(), t => Assert.Equal((TrialStatus.Completed, 1), (t.Status, t.Attempts)));
    }
}

public sealed class SqliteResultsStoreContractTests : ResultsStoreContract, IDisposable
{
    private readonly TempDirectory _dir = new();

    protected override IResultsStore CreateStore() => SqliteResultsStore.Open(_dir.Path);

    protected override IResultsStore Reopen(IResultsStore store) => SqliteResultsStore.OpenExisting(_dir.Path);

    public void Dispose() => _dir.Dispose();
}

public sealed class PostgresResultsStoreContractTests : ResultsStoreContract, IDisposable
{
    private readonly List<IDisposable> _opened = [];
    private string? _url;

    protected override IResultsStore CreateStore()
    {
        _url = ScaleLab.Tests.Shared.PostgresServer.Instance.CreateDatabase();
        return Track(StoreLocation.Parse(_url).Open());
    }

    protected override IResultsStore Reopen(IResultsStore store) => Track(StoreLocation.Parse(_url!).Open());

    private IResultsStore Track(IResultsStore store)
    {
        lock (_opened) _opened.Add((IDisposable)store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
    }
}
