using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

/// <summary>
/// Workers on a shared store (threads here, each with its own store object as a process would have), against
/// <see cref="FakeTrial"/>, on both stores (SqliteSweepWorkerTests, PostgresSweepWorkerTests). A dead worker is
/// made by claiming with a lease that has already expired, so no test waits for a lease to run out.
/// </summary>
public abstract class SweepWorkerContract : IDisposable
{
    private protected readonly TempDirectory Dir = new();

    /// <summary>A new, empty store; each call of <see cref="Connect"/> afterwards opens it again.</summary>
    protected abstract void CreateStore();

    protected abstract IResultsStore Connect();

    internal static SweepSpec Sweep(string lrs, int epochs = 3, string extra = "") => SweepSpecJson.Parse(
        $$"""{"name": "fake", "model": "pytorch-10-100-1", "training": {"epochs": {{epochs}}}, "axes": {"lr": [{{lrs}}]} {{extra}}}""",
        "fake.json", "/");

    private string SweepDirectory => Path.Combine(Dir.Path, "sweep");

    private WorkerResult Work(TrialCommand command, WorkerOptions? options = null) =>
        new SweepWorker(Connect(), command, SilentSweepProgress.Instance).Run(options ?? new WorkerOptions("fake", Threads: 2), CancellationToken.None);

    [Fact]
    public void Workers_ThreeAtOnce_FinishEveryTrialExactlyOnce()
    {
        CreateStore();
        var command = FakeTrial.Create(Dir.Path);
        var submitted = SweepSubmission.Submit(Sweep("0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009"), Connect(), SweepDirectory);

        var results = new WorkerResult[3];
        Parallel.For(0, 3, new ParallelOptions { MaxDegreeOfParallelism = 3 }, w => results[w] = Work(command));

        var trials = Connect().Trials(submitted.SweepId);
        Assert.Equal(9, trials.Count);
        Assert.All(trials, t => Assert.Equal((TrialStatus.Completed, 1, 3), (t.Status, t.Attempts, t.EpochsCompleted)));
        Assert.All(trials, t => Assert.Equal(["start=1 threads=2 resume=0"], FakeTrial.Invocations(t.Plan.RunDirectory)));
        Assert.Equal((9, 9, 0), (results.Sum(r => r.Claimed), results.Sum(r => r.Completed), results.Sum(r => r.Lost)));
        Assert.All(trials, t => Assert.Contains(t.Worker, results.Select(r => r.WorkerId)));
        Assert.Equal(27, Connect().AllEpochs(submitted.SweepId).Sum(e => e.Value.Count));
    }

    [Fact]
    public void Submit_TwiceOfOneSweep_AddsNothingTheSecondTime()
    {
        CreateStore();
        var first = SweepSubmission.Submit(Sweep("0.001, 0.002"), Connect(), SweepDirectory);
        Work(FakeTrial.Create(Dir.Path), new WorkerOptions("fake", MaxTrials: 1));

        var second = SweepSubmission.Submit(Sweep("0.001, 0.002"), Connect(), SweepDirectory);

        Assert.Equal((2, 2, 0), (first.Plans.Count, first.Added, second.Added));
        var trials = Connect().Trials();
        Assert.Equal([TrialStatus.Completed, TrialStatus.Queued], trials.Select(t => t.Status));
        Assert.Equal((1, 0), (trials[0].Attempts, trials[1].Attempts));
        Assert.Single(Connect().Sweeps());
    }

    [Fact]
    public void Worker_TakingOverAnExpiredLease_ResumesFromTheCheckpointOnSharedStorage()
    {
        CreateStore();
        var submitted = SweepSubmission.Submit(Sweep("0.001"), Connect(), SweepDirectory);
        string id = submitted.Plans.Single().Id;
        var dead = Connect().Claim("dead-worker", TimeSpan.FromSeconds(-1))!;
        // What the dead worker's trial left on the shared run directory: two epochs and their checkpoint.
        string run = new TrialPaths(SweepDirectory, id).RunDirectory;
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        File.WriteAllLines(Path.Combine(run, "metrics.jsonl"), new[] { 1, 2 }.Select(e => string.Create(CultureInfo.InvariantCulture,
            $$"""{"epoch":{{e}},"step":{{e * 10}},"train_loss":{{0.1 + (1.0 / e)}},"train_accuracy":0.5,"val_loss":{{0.1 + (1.0 / e)}},"val_accuracy":0.5,"lr":0.001,"epoch_seconds":0.05,"samples_per_second":1000}""")));
        File.WriteAllText(Path.Combine(run, "checkpoints", "last.json"), """{"epoch":2}""");
        File.WriteAllText(Path.Combine(run, "invocations.log"), "start=1 threads=2 resume=0\n");

        var result = Work(FakeTrial.Create(Dir.Path));

        var t = Connect().Trial(id)!;
        Assert.Equal((TrialStatus.Completed, 2, 3, result.WorkerId), (t.Status, t.Attempts, t.EpochsCompleted, t.Worker));
        Assert.Equal(["start=1 threads=2 resume=0", "start=3 threads=2 resume=1"], FakeTrial.Invocations(run));
        Assert.Equal([1, 2, 3], Connect().Epochs(id).Select(e => e.Epoch));
        Assert.False(Connect().Finish(id, new RunOutcome(TrialStatus.Failed, null, null, []), dead));
    }

    [Fact]
    public void Worker_WithMedianRule_StopsATrialAgainstTrialsOtherWorkersFinished()
    {
        CreateStore();
        var submitted = SweepSubmission.Submit(
            Sweep("0.001, 0.002, 0.009", extra: """, "early_stopping": {"rule": "median", "min_trials": 2}"""), Connect(), SweepDirectory);
        // Epochs of 0.4 s: the worker stops the third trial after its first epoch, and with 0.02 s epochs a loaded
        // machine let the trial finish its other two before the stop landed (seen once in six full runs).
        var command = FakeTrial.Create(Dir.Path, epochSeconds: 0.4);
        Work(command, new WorkerOptions("fake", MaxTrials: 1, WorkerId: "first"));
        Work(command, new WorkerOptions("fake", MaxTrials: 1, WorkerId: "second"));

        var third = Work(command, new WorkerOptions("fake", WorkerId: "third"));

        var trials = Connect().Trials(submitted.SweepId);
        Assert.Equal((1, 1), (third.Claimed, third.StoppedEarly));
        Assert.Equal([TrialStatus.Completed, TrialStatus.Completed, TrialStatus.StoppedEarly], trials.Select(t => t.Status));
        Assert.Equal(["first", "second", "third"], trials.Select(t => t.Worker));
        Assert.Equal("median rule: best val loss 1.9 by epoch 1 is worse than the median 1.15 of 2 finished trials", trials[2].Message);
    }

    [Fact]
    public void Worker_OfASweepNotInTheStore_SaysSo()
    {
        CreateStore();
        var store = Connect();
        var error = Assert.Throws<StoreException>(() => new SweepWorker(store, FakeTrial.Create(Dir.Path), SilentSweepProgress.Instance)
            .Run(new WorkerOptions("nope"), CancellationToken.None));
        Assert.Equal($"{store.Location}: no sweep named 'nope'; submit it first (`scalelab sweep SWEEP.json --store {store.Location} --submit`)", error.Message);
    }

    public virtual void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteSweepWorkerTests : SweepWorkerContract
{
    protected override void CreateStore() => SqliteResultsStore.Open(Path.Combine(Dir.Path, "store"));

    protected override IResultsStore Connect() => SqliteResultsStore.OpenExisting(Path.Combine(Dir.Path, "store"));
}

public sealed class PostgresSweepWorkerTests : SweepWorkerContract
{
    private readonly List<IDisposable> _opened = [];
    private string? _url;

    protected override void CreateStore() => _url = ScaleLab.Tests.Shared.PostgresServer.Instance.CreateDatabase();

    protected override IResultsStore Connect()
    {
        var store = StoreLocation.Parse(_url!).Open();
        lock (_opened) _opened.Add((IDisposable)store);
        return store;
    }

    public override void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
        base.Dispose();
    }
}
