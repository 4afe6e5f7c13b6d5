using System.Collections.Concurrent;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// How to run a sweep: workers (trial processes at once), threads per trial, early stopping. Without a thread count,
/// one worker leaves it to each trial (the trainer's default: the cores free when it starts, stepping down to one
/// thread under contention, docs/engine-bench.md); several workers split the cores between them (cores / workers, at
/// least 1), which each trial then keeps.
/// </summary>
public sealed record SweepRunOptions(int Workers = 1, int? ThreadsPerTrial = null, EarlyStoppingOptions? EarlyStopping = null)
{
    /// <summary>The count passed to every trial, or null to let each trial choose.</summary>
    public int? TrialThreads => ThreadsPerTrial ?? (Workers > 1 ? Math.Max(1, Environment.ProcessorCount / Workers) : null);

    /// <summary>The count to show: <see cref="TrialThreads"/>, or what a trial starting now would choose.</summary>
    public int ResolvedThreads => TrialThreads ?? Torch.CpuAvailability.DefaultThreads();
}

/// <summary>The sweep directory after a run, and every trial in it.</summary>
public sealed record SweepResult(string Directory, SweepTally Tally, IReadOnlyList<TrialRecord> Trials);

/// <summary>
/// Runs a sweep into a directory (docs/sweeps.md): expands and checks every trial up front, records them in
/// DIR/results.db, and runs those not yet done on <see cref="SweepRunOptions.Workers"/> workers, each sending its trials
/// to a trial host process of its own (<see cref="TrialProcess"/>), one at a time.
/// Running the same sweep again resumes it: completed and stopped-early trials are skipped, a trial whose process
/// finished but was not yet recorded (the sweep was killed in between) is read back from its run directory, an orphaned
/// trial process of a killed sweep is stopped, and unfinished trials restart with --resume from their last checkpoint.
/// </summary>
/// <remarks>The store is DIR/results.db unless one is given (`--store`); the trials are still run here, by this process.</remarks>
public sealed class SweepRunner(string sweepDirectory, TrialCommand command, ISweepProgress progress, StoreLocation? storeLocation = null)
{
    /// <summary>
    /// The order trials start in. Without early stopping, the most work first (forward FLOPs per sample × epochs, ties
    /// in plan order): with several workers the sweep then ends close to its largest trial's own time (Graham's
    /// longest-processing-time rule, within 4/3 of the best schedule), where plan order — a scaling sweep's widths
    /// ascending — started the largest trial last and left the other workers idle while it ran. `scalelab study` on
    /// the 2-core build machine (two workers): 10.1 s in plan order; see docs/engine-bench.md. With early stopping the
    /// plan's order stands: a trial is judged against the curves of those before it.
    /// </summary>
    public static IReadOnlyList<TrialPlan> RunOrder(IReadOnlyList<TrialPlan> queue, bool earlyStopping)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return earlyStopping ? queue : [.. queue.OrderByDescending(p => (double)p.ForwardFlopsPerSample * Math.Max(1, p.Config.Epochs))];
    }

    public SweepResult Run(SweepSpec sweep, SweepRunOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Workers < 1) throw new SweepException($"--workers: {options.Workers} is not valid; expected 1 or more");
        string directory = Path.GetFullPath(sweepDirectory);
        var plans = SweepExpansion.Expand(sweep);
        using var sweepLock = SweepLock.Acquire(directory);
        // The trial hosts start now, so their start-up (runtime, libtorch: most of a second) overlaps opening the store
        // and settling what an earlier run left, instead of following it.
        var slots = Enumerable.Range(0, Math.Min(options.Workers, plans.Count)).Select(_ => new TrialSlot()).ToArray();
        try
        {
            foreach (var slot in slots) slot.TryStart(command);
            return Run(sweep, options, directory, plans, slots, ct);
        }
        finally
        {
            foreach (var slot in slots) slot.Dispose();
        }
    }

    private SweepResult Run(SweepSpec sweep, SweepRunOptions options, string directory, IReadOnlyList<TrialPlan> plans, TrialSlot[] slots, CancellationToken ct)
    {
        var store = storeLocation?.Open() ?? SqliteResultsStore.Open(directory);
        long sweepId = SweepSubmission.Submit(sweep, store, directory, plans).SweepId;

        var queue = new List<TrialPlan>();
        foreach (var plan in plans)
            if (NeedsRun(store, plan, directory, sweep.MaxAttempts)) queue.Add(plan);

        var planned = plans.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var stored = store.Trials(sweepId).Where(t => planned.Contains(t.Id)).ToList();
        int threads = options.ResolvedThreads;
        int workers = Math.Min(slots.Length, Math.Max(1, queue.Count));
        var board = new SweepBoard(stored, store.AllEpochs(), plans.Count, queue.Count, workers, options.EarlyStopping ?? sweep.EarlyStopping);
        progress.OnStart(new SweepStart(sweep.Name, directory, plans.Count, plans.Count - queue.Count, queue.Count, workers, threads));

        var pending = new ConcurrentQueue<TrialPlan>(RunOrder(queue, (options.EarlyStopping ?? sweep.EarlyStopping) is not null));
        var execution = new TrialExecution(directory, command, store, board, progress, options.TrialThreads);
        var tasks = slots.Take(workers).Select(slot => Task.Factory.StartNew(() =>
        {
            // One trial host per worker, for all the trials it takes.
            while (!ct.IsCancellationRequested && pending.TryDequeue(out var plan)) execution.Run(plan, slot, ct);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            Task.WaitAll(tasks, CancellationToken.None);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
        ct.ThrowIfCancellationRequested();
        var tally = board.Tally();
        progress.OnDone(tally);
        return new SweepResult(directory, tally, store.Trials(sweepId).Where(t => planned.Contains(t.Id)).ToList());
    }

    /// <summary>Decides whether a stored trial still has to run, first settling what a killed earlier run left behind.</summary>
    private static bool NeedsRun(IResultsStore store, TrialPlan plan, string directory, int maxAttempts)
    {
        var record = store.Trial(plan.Id)!;
        if (record.Status.IsFinal()) return false;
        string runDirectory = new TrialPaths(directory, plan.Id).RunDirectory;
        if (record.Status == TrialStatus.Running && record.ProcessId is int pid) OrphanTrial.Stop(pid, runDirectory);
        if (RunOutcome.HasFinished(runDirectory))
        {
            // The process finished but the sweep died before recording it: read it back instead of training again.
            var outcome = RunOutcome.Read(runDirectory, TrialStatus.Failed, "unfinished");
            store.Finish(plan.Id, outcome);
            return false;
        }
        return record.Status != TrialStatus.Failed || record.Attempts < maxAttempts;
    }
}
