using System.Diagnostics;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// How a worker runs (`scalelab worker`): which sweep (null: any in the store), CPU threads per trial, how many trials
/// at most, whether to wait for trials others still hold, the lease length (renewed every third of it), how often to
/// poll while waiting, and a sweep directory that overrides the one stored (when run directories are not shared).
/// </summary>
public sealed record WorkerOptions(
    string? SweepName = null,
    int Threads = 1,
    int? MaxTrials = null,
    bool Wait = false,
    TimeSpan? Lease = null,
    TimeSpan? PollInterval = null,
    string? Directory = null,
    string? WorkerId = null)
{
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(5);

    public TimeSpan ResolvedLease => Lease ?? DefaultLease;

    /// <summary>host:pid:random, unique among all workers of a study even when process ids repeat across machines.</summary>
    public string ResolvedWorkerId => WorkerId ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
}

/// <summary>What one worker did: trials claimed, how each it held to the end ended, and leases it lost to another worker.</summary>
public sealed record WorkerResult(string WorkerId, int Claimed, int Completed, int StoppedEarly, int Failed, int Lost);

/// <summary>
/// One worker of a shared study: claims a trial, runs it with today's trial execution (in the worker's trial host, progress,
/// early stopping, resume from the run directory's checkpoint), keeps the lease alive while it runs, records its
/// epochs and outcome through the lease, and takes the next, until nothing is claimable. With
/// <see cref="WorkerOptions.Wait"/> it keeps polling while trials are held by others, so a trial whose worker died is
/// picked up when its lease expires; it ends when every trial is final or out of attempts.
/// </summary>
public sealed class SweepWorker(IResultsStore store, TrialCommand command, ISweepProgress progress)
{
    public WorkerResult Run(WorkerOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Threads < 1) throw new SweepException($"--threads: {options.Threads} is not valid; expected 1 or more");
        if (options.MaxTrials is < 1) throw new SweepException($"--max-trials: {options.MaxTrials} is not valid; expected 1 or more");
        long? sweepId = options.SweepName is null ? null : (store.Sweep(options.SweepName)
            ?? throw new StoreException($"{store.Location}: no sweep named '{options.SweepName}'; submit it first (`scalelab sweep SWEEP.json --store {store.Location} --submit`)")).Id;
        string worker = options.ResolvedWorkerId;
        int claimed = 0, completed = 0, stopped = 0, failed = 0, lost = 0;
        using var slot = new TrialSlot();
        while (!ct.IsCancellationRequested && (options.MaxTrials is not int max || claimed < max))
        {
            var lease = store.Claim(worker, options.ResolvedLease, sweepId);
            if (lease is null)
            {
                if (!options.Wait || !AnythingLeft(sweepId)) break;
                ct.WaitHandle.WaitOne(options.PollInterval ?? WorkerOptions.DefaultPollInterval);
                continue;
            }
            claimed++;
            var record = RunLeased(lease, slot, options, ct);
            if (record is null || record.Worker != worker || record.Attempts != lease.Attempt || record.Status == TrialStatus.Running)
            {
                if (!ct.IsCancellationRequested) lost++;
                continue;
            }
            switch (record.Status)
            {
                case TrialStatus.Completed: completed++; break;
                case TrialStatus.StoppedEarly: stopped++; break;
                case TrialStatus.Failed: failed++; break;
            }
        }
        var result = new WorkerResult(worker, claimed, completed, stopped, failed, lost);
        progress.OnDone(new SweepTally(claimed, completed, stopped, failed, 0, 0, null));
        return result;
    }

    /// <summary>Runs one claimed trial under a heartbeat; returns its row afterwards.</summary>
    private TrialRecord? RunLeased(TrialLease lease, TrialSlot slot, WorkerOptions options, CancellationToken ct)
    {
        var record = store.Trial(lease.TrialId)!;
        var sweep = store.Sweeps().Single(s => s.Id == record.SweepId);
        string directory;
        TrialPlan plan;
        try
        {
            directory = options.Directory ?? sweep.Directory
                ?? throw new StoreException($"{store.Location}: sweep '{sweep.Name}' has no directory recorded; pass --dir DIR");
            plan = TrialPlan.FromRecord(record, store.Location);
        }
        catch (ScaleLab.Core.ScaleLabException)
        {
            // This worker cannot run it; another (with --dir, or a newer scalelab) may: give it back now, not at lease expiry.
            store.MarkQueued(lease.TrialId, "returned unrun by worker " + lease.Worker, lease);
            throw;
        }
        string runDirectory = new TrialPaths(directory, plan.Id).RunDirectory;
        // The attempt before may have left its process running here (its worker was killed, the trial was not).
        if (lease.PreviousProcessId is int pid) OrphanTrial.Stop(pid, runDirectory);
        if (RunOutcome.HasFinished(runDirectory))
        {
            // It finished after its worker died, before anyone recorded it: read it back rather than train it again.
            var outcome = RunOutcome.Read(runDirectory, TrialStatus.Failed, "unfinished");
            store.Finish(plan.Id, outcome, lease);
            return store.Trial(plan.Id);
        }

        var earlyStopping = SweepSpecJson.EarlyStoppingIn(sweep.SpecJson, $"{store.Location}: sweep '{sweep.Name}'");
        var board = SweepBoard.Shared(store, record.SweepId, earlyStopping);
        var execution = new TrialExecution(directory, command, store, board, progress, (int?)options.Threads);
        using var trialCt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using (new Heartbeat(store, lease, options.ResolvedLease, trialCt))
            execution.Run(plan, slot, trialCt.Token, lease);
        return store.Trial(plan.Id);
    }

    /// <summary>True while some trial may still be claimed: queued, running under someone's lease, or failed with attempts left.</summary>
    private bool AnythingLeft(long? sweepId)
    {
        var maxAttempts = store.Sweeps().ToDictionary(s => s.Id, s => s.MaxAttempts);
        return store.Trials(sweepId).Any(t => t.Status is TrialStatus.Queued or TrialStatus.Running
            || (t.Status == TrialStatus.Failed && t.Attempts < maxAttempts.GetValueOrDefault(t.SweepId, 2)));
    }

    /// <summary>
    /// Renews the lease every third of its length on a timer thread. When a renewal finds the trial is no longer this
    /// lease's, the trial is cancelled (its process killed; the lease's writes are refused anyway). A renewal that
    /// fails because the store is unreachable is tried again at the next beat: the lease has two more beats of slack.
    /// </summary>
    private sealed class Heartbeat : IDisposable
    {
        private readonly Timer _timer;

        public Heartbeat(IResultsStore store, TrialLease lease, TimeSpan length, CancellationTokenSource trial)
        {
            var beat = length / 3;
            _timer = new Timer(_ =>
            {
                try
                {
                    if (!store.Renew(lease, length)) trial.Cancel();
                }
                catch (StoreException ex)
                {
                    Trace.TraceWarning($"lease of trial {lease.TrialId} not renewed this beat: {ex.Message}");
                }
                catch (ObjectDisposedException)
                {
                    // the trial ended between the beat firing and the cancel
                }
            }, null, beat, beat);
        }

        public void Dispose()
        {
            using var done = new ManualResetEvent(false);
            if (_timer.Dispose(done)) done.WaitOne();
        }
    }
}
