using ScaleLab.Core.Runs;

namespace ScaleLab.Experiments.Store;

/// <summary>
/// Where a sweep's trials, their epochs and their outcomes live, and the queue workers claim trials from
/// (docs/sweeps.md). Two implementations share one schema and one set of statements (<see cref="SqlResultsStore"/>):
/// SQLite for one machine (<see cref="SqliteResultsStore"/>) and PostgreSQL for many (<see cref="PostgresResultsStore"/>);
/// <see cref="StoreLocation"/> picks one from `--store`. Every write is one transaction.
/// </summary>
/// <remarks>
/// A write given a <see cref="TrialLease"/> happens only while that lease still owns the trial, and returns false
/// when it does not (another worker claimed the trial after the lease expired): that is what keeps a trial from
/// being finished twice. Without a lease (the one-machine runner) a write to an unknown trial throws.
/// </remarks>
public interface IResultsStore : ISweepResults
{
    /// <summary>Creates the sweep row, or refreshes its description, spec, directory and attempt limit; returns its id.</summary>
    long EnsureSweep(string name, string? description, string specJson, string? directory = null, int maxAttempts = 2);

    /// <summary>Adds planned trials as queued; a trial already stored keeps its status and results. Returns how many were new.</summary>
    int AddTrials(long sweepId, IEnumerable<TrialPlanRow> trials);

    /// <summary>A trial process started. Without a lease this is an attempt (status running, attempts + 1); with one it only records the process id (the claim was the attempt).</summary>
    bool MarkRunning(string trialId, int? processId, TrialLease? lease = null);

    /// <summary>Records one finished epoch, replacing an earlier row of the same epoch.</summary>
    bool RecordEpoch(string trialId, EpochMetrics epoch, TrialLease? lease = null);

    /// <summary>The trial process ended: its status, its run's summary and the full list of its epochs, in one transaction.</summary>
    bool Finish(string trialId, RunOutcome outcome, TrialLease? lease = null);

    bool MarkFailed(string trialId, string message, TrialLease? lease = null);

    /// <summary>Back to queued (the run was interrupted), so the next run or worker resumes it.</summary>
    bool MarkQueued(string trialId, string message, TrialLease? lease = null);

    /// <summary>
    /// Takes the next trial to run, in sweep and plan order: queued, failed with attempts left, or running under a
    /// lease that expired (its worker died). Null when there is none. Two workers never get the same trial.
    /// </summary>
    TrialLease? Claim(string worker, TimeSpan leaseDuration, long? sweepId = null);

    /// <summary>The worker's heartbeat: extends the lease; false when the trial is no longer this lease's.</summary>
    bool Renew(TrialLease lease, TimeSpan leaseDuration);

    SweepRecord? Sweep(string name);

    TrialRecord? Trial(string id);

    IReadOnlyList<EpochMetrics> Epochs(string trialId);
}
