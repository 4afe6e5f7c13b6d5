using Microsoft.Data.Sqlite;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

/// <summary>The runner's logic (processes, resume, failure, early stopping, workers) against <see cref="FakeTrial"/>.</summary>
public sealed class SweepRunnerTests
{
    private static SweepSpec Sweep(string lrs, int epochs = 3, string extra = "") => SweepSpecJson.Parse(
        $$"""{"name": "fake", "model": "pytorch-10-100-1", "training": {"epochs": {{epochs}}}, "axes": {"lr": [{{lrs}}]} {{extra}}}""",
        "fake.json", "/");

    private static SweepResult Run(string dir, TrialCommand command, SweepSpec sweep, RecordingProgress? progress = null, SweepRunOptions? options = null) =>
        new SweepRunner(Path.Combine(dir, "sweep"), command, progress ?? new RecordingProgress()).Run(sweep, options ?? new SweepRunOptions(ThreadsPerTrial: 3), CancellationToken.None);

    [Fact]
    public void Run_ThreeTrialsOnTwoWorkers_CompletesAllAndRecordsCurvesAndFigures()
    {
        using var dir = new TempDirectory();
        var progress = new RecordingProgress();
        var result = Run(dir.Path, FakeTrial.Create(dir.Path), Sweep("0.001, 0.002, 0.003"), progress, new SweepRunOptions(Workers: 2, ThreadsPerTrial: 3));

        Assert.Equal([TrialStatus.Completed, TrialStatus.Completed, TrialStatus.Completed], result.Trials.Select(t => t.Status));
        var t = result.Trials[1];
        Assert.Equal((3, 1, 10_000L, 6e6, 1_048_576L), (t.EpochsCompleted, t.Attempts, t.Result!.SamplesSeen!.Value, t.Result.TrainingFlops!.Value, t.Result.PeakRssBytes));
        var store = SqliteResultsStore.OpenExisting(result.Directory);
        Assert.Equal([1.2, 0.7, 0.2 + (1.0 / 3)], store.Epochs(t.Id).Select(e => e.ValLoss!.Value), new ToleranceComparer());
        Assert.Equal(["start=1 threads=3 resume=0"], FakeTrial.Invocations(t.Plan.RunDirectory));
        Assert.Equal(new SweepStart("fake", result.Directory, 3, 0, 3, 2, 3), progress.Start);
        Assert.Equal((3, 0, 0), (progress.Done!.Completed, progress.Done.Left, progress.Done.Running));
        Assert.Equal(9, progress.Events.Count(e => e is ProgressEvent.Epoch));
        Assert.True(File.Exists(new TrialPaths(result.Directory, t.Id).SpecFile));
    }

    [Fact]
    public void Rerun_SkipsCompletedTrials()
    {
        using var dir = new TempDirectory();
        var command = FakeTrial.Create(dir.Path);
        Run(dir.Path, command, Sweep("0.001, 0.002"));
        var progress = new RecordingProgress();
        var again = Run(dir.Path, command, Sweep("0.001, 0.002"), progress);

        Assert.Equal((2, 2, 0), (progress.Start!.Trials, progress.Start.AlreadyFinished, progress.Start.ToRun));
        Assert.Empty(progress.Started);
        Assert.All(again.Trials, t => Assert.Single(FakeTrial.Invocations(t.Plan.RunDirectory)));
        Assert.All(again.Trials, t => Assert.Equal(1, t.Attempts));
    }

    [Fact]
    public void Rerun_ResumesAKilledTrialFromItsLastCheckpoint()
    {
        using var dir = new TempDirectory();
        var first = Run(dir.Path, FakeTrial.Create(dir.Path, dieAtEpoch: 2), Sweep("0.001"));
        var killed = first.Trials.Single();
        Assert.Equal((TrialStatus.Failed, 2), (killed.Status, killed.EpochsCompleted));
        Assert.Equal("trial process exited with code 137 before finishing (see " + new TrialPaths(first.Directory, killed.Id).LogFile + ")", killed.Message);

        var progress = new RecordingProgress();
        var second = Run(dir.Path, FakeTrial.Create(dir.Path), Sweep("0.001"), progress);

        var done = second.Trials.Single();
        Assert.Equal((TrialStatus.Completed, 3, 2), (done.Status, done.EpochsCompleted, done.Attempts));
        Assert.Equal(["start=1 threads=3 resume=0", "start=3 threads=3 resume=1"], FakeTrial.Invocations(done.Plan.RunDirectory));
        Assert.True(progress.Started.Single().Resumed);
        Assert.Equal([1, 2, 3], SqliteResultsStore.OpenExisting(second.Directory).Epochs(done.Id).Select(e => e.Epoch));
    }

    [Fact]
    public void Rerun_ReadsBackATrialThatFinishedButWasNotRecorded()
    {
        using var dir = new TempDirectory();
        var command = FakeTrial.Create(dir.Path);
        var first = Run(dir.Path, command, Sweep("0.001"));
        string id = first.Trials.Single().Id;
        SqliteResultsStore.OpenExisting(first.Directory).MarkRunning(id, null);   // as if the sweep died between exit and record

        var second = Run(dir.Path, command, Sweep("0.001"));

        Assert.Equal(TrialStatus.Completed, second.Trials.Single().Status);
        Assert.Single(FakeTrial.Invocations(second.Trials.Single().Plan.RunDirectory));
    }

    [Fact]
    public void Run_AFailingTrial_IsRecordedWithItsErrorAndRetriedUpToMaxAttempts()
    {
        using var dir = new TempDirectory();
        var command = FakeTrial.Create(dir.Path);
        var sweep = Sweep("0.5, 0.001");
        var first = Run(dir.Path, command, sweep);

        var failed = first.Trials[0];
        Assert.Equal((TrialStatus.Failed, "trial process exited with code 3 before finishing: boom: lr 0.5 is cursed"), (failed.Status, failed.Message));
        Assert.Equal(TrialStatus.Completed, first.Trials[1].Status);
        Run(dir.Path, command, sweep);
        Run(dir.Path, command, sweep);
        Assert.Equal(2, FakeTrial.Invocations(failed.Plan.RunDirectory).Length);   // max_attempts 2
        Assert.Equal(2, SqliteResultsStore.OpenExisting(first.Directory).Trial(failed.Id)!.Attempts);
    }

    [Fact]
    public void Run_MedianRule_StopsTrialsWorseThanTheFinishedOnes()
    {
        using var dir = new TempDirectory();
        var sweep = Sweep("0.001, 0.002, 0.003, 0.009", extra: """, "early_stopping": {"rule": "median", "min_trials": 2}""");
        // Epochs slow enough that the stop lands before the fake would finish on its own.
        var result = Run(dir.Path, FakeTrial.Create(dir.Path, epochSeconds: 0.3), sweep);

        Assert.Equal([TrialStatus.Completed, TrialStatus.Completed, TrialStatus.StoppedEarly, TrialStatus.StoppedEarly], result.Trials.Select(t => t.Status));
        Assert.Equal([3, 3], result.Trials.Take(2).Select(t => t.EpochsCompleted));
        // Stopped after epoch 1 of 3 (on a loaded machine the kill may land during epoch 2).
        Assert.All(result.Trials.Skip(2), t => Assert.InRange(t.EpochsCompleted, 1, 2));
        Assert.Equal("median rule: best val loss 1.3 by epoch 1 is worse than the median 1.15 of 2 finished trials", result.Trials[2].Message);
        // Stopped early is final: a re-run leaves it alone.
        Run(dir.Path, FakeTrial.Create(dir.Path), sweep);
        Assert.Single(FakeTrial.Invocations(result.Trials[2].Plan.RunDirectory));
    }

    [Fact]
    public void Run_ThreeWorkers_RunTrialsAtTheSameTimeAndKeepTheStoreIntact()
    {
        using var dir = new TempDirectory();
        var result = Run(dir.Path, FakeTrial.Create(dir.Path, epochSeconds: 0.25), Sweep("0.001, 0.002, 0.003, 0.004, 0.005, 0.006", epochs: 2),
            options: new SweepRunOptions(Workers: 3));

        Assert.All(result.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.Equal(3, FakeTrial.MaxConcurrent(dir.Path));
        using var connection = new SqliteConnection($"Data Source={Path.Combine(result.Directory, SqliteResultsStore.FileName)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", command.ExecuteScalar());
        Assert.Equal(12, SqliteResultsStore.OpenExisting(result.Directory).AllEpochs().Sum(e => e.Value.Count));
    }

    [Fact]
    public void Should_Refuse_A_Second_Sweep_In_The_Same_Directory()
    {
        using var dir = new TempDirectory();
        using var held = SweepLock.Acquire(dir.Path);
        var error = Assert.Throws<SweepException>(() => SweepLock.Acquire(dir.Path));
        Assert.Equal($"{dir.Path}: another `scalelab sweep` is running in this directory (it holds sweep.lock); wait for it to end or stop it", error.Message);
    }

    [Fact]
    public void RunOrder_WithoutEarlyStopping_StartsTheMostWorkFirst_WithItKeepsThePlan()
    {
        // width × epochs: 2 epochs at width 0.5 (forward FLOPs ≈ ¼ of width 1) is less work than 1 epoch at width 1.
        var plans = SweepExpansion.Expand(SweepSpecJson.Parse(
            """{"name": "w", "model": "mlp-784-1000-500-250", "axes": {"width": [0.25, 1, 0.5], "epochs": [1, 2]}}""", "w.json", "/"));
        Assert.Equal(["width=1 epochs=2", "width=1 epochs=1", "width=0.5 epochs=2", "width=0.5 epochs=1", "width=0.25 epochs=2", "width=0.25 epochs=1"],
            SweepRunner.RunOrder(plans, earlyStopping: false).Select(p => p.Label));
        Assert.Equal(plans.Select(p => p.Label), SweepRunner.RunOrder(plans, earlyStopping: true).Select(p => p.Label));
    }

    [Fact]
    public void ThreadsPerTrial_DefaultsToCoresOverWorkers()
    {
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / 4), new SweepRunOptions(Workers: 4).ResolvedThreads);
        Assert.Equal(1, new SweepRunOptions(Workers: 1000).ResolvedThreads);
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>, IEqualityComparer<(int, int, double, double, double, long)>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-6;

        public int GetHashCode(double obj) => 0;

        public bool Equals((int, int, double, double, double, long) x, (int, int, double, double, double, long) y) =>
            x.Item1 == y.Item1 && x.Item2 == y.Item2 && Equals(x.Item3, y.Item3) && Equals(x.Item4, y.Item4) && Equals(x.Item5, y.Item5) && x.Item6 == y.Item6;

        public int GetHashCode((int, int, double, double, double, long) obj) => 0;
    }
}
