using System.Diagnostics;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// What the workers of one sweep run share, behind one lock: counts by state, the start times of running trials, how
/// long finished ones took (for the ETA), and every trial's epoch curve (for early stopping). A worker's board is
/// <see cref="Shared"/>: before each early-stopping decision it reloads the sweep's curves from the store, so the
/// rule compares against the trials of every worker, not only its own.
/// </summary>
internal sealed class SweepBoard
{
    private readonly object _gate = new();
    private readonly Dictionary<string, IReadOnlyList<EpochMetrics>> _curves;
    private readonly HashSet<string> _finished;
    private readonly Dictionary<string, Stopwatch> _running = new(StringComparer.Ordinal);
    private readonly List<TimeSpan> _durations = [];
    private readonly EarlyStoppingOptions? _earlyStopping;
    private readonly int _total, _workers;
    private readonly (IResultsStore Store, long SweepId)? _shared;
    private int _completed, _stopped, _failed, _left;

    public SweepBoard(IReadOnlyList<TrialRecord> stored, IReadOnlyDictionary<string, IReadOnlyList<EpochMetrics>> epochs,
        int total, int queued, int workers, EarlyStoppingOptions? earlyStopping, (IResultsStore Store, long SweepId)? shared = null)
    {
        _shared = shared;
        _curves = epochs.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        _finished = stored.Where(t => t.Status == TrialStatus.Completed).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        _completed = stored.Count(t => t.Status == TrialStatus.Completed);
        _stopped = stored.Count(t => t.Status == TrialStatus.StoppedEarly);
        _failed = total - queued - _completed - _stopped;
        _left = queued;
        _total = total;
        _workers = workers;
        _earlyStopping = earlyStopping;
    }

    /// <summary>The board of a worker on one sweep of a shared store: counts start from the store, curves are reloaded from it.</summary>
    public static SweepBoard Shared(IResultsStore store, long sweepId, EarlyStoppingOptions? earlyStopping)
    {
        var stored = store.Trials(sweepId);
        int open = stored.Count(t => !t.Status.IsFinal() && t.Status != TrialStatus.Failed);
        return new SweepBoard(stored, earlyStopping is null ? new Dictionary<string, IReadOnlyList<EpochMetrics>>() : store.AllEpochs(sweepId),
            stored.Count, open, 1, earlyStopping, (store, sweepId));
    }

    public void Started(string trialId)
    {
        lock (_gate)
        {
            _left--;
            _running[trialId] = Stopwatch.StartNew();
        }
    }

    /// <summary>Records the trial's curve so far; returns why it should stop, or null.</summary>
    public string? Observe(string trialId, IReadOnlyList<EpochMetrics> curve, int epoch)
    {
        if (_earlyStopping is not null && _shared is var (store, sweepId)) Reload(store, sweepId);
        lock (_gate)
        {
            _curves[trialId] = curve;
            return _earlyStopping is null ? null : EarlyStoppingPolicy.Decide(_earlyStopping, trialId, epoch, _curves, _finished);
        }
    }

    private void Reload(IResultsStore store, long sweepId)
    {
        var epochs = store.AllEpochs(sweepId);
        var completed = store.Trials(sweepId).Where(t => t.Status == TrialStatus.Completed).Select(t => t.Id).ToList();
        lock (_gate)
        {
            foreach (var (id, curve) in epochs) _curves[id] = curve;
            _finished.UnionWith(completed);
        }
    }

    public void Ended(string trialId, TrialStatus status, IReadOnlyList<EpochMetrics> curve)
    {
        lock (_gate)
        {
            if (_running.Remove(trialId, out var clock) && status != TrialStatus.Queued) _durations.Add(clock.Elapsed);
            _curves[trialId] = curve;
            switch (status)
            {
                case TrialStatus.Completed:
                    _completed++;
                    _finished.Add(trialId);
                    break;
                case TrialStatus.StoppedEarly:
                    _stopped++;
                    break;
                case TrialStatus.Failed:
                    _failed++;
                    break;
                default:
                    _left++;    // interrupted: still to do
                    break;
            }
        }
    }

    public SweepTally Tally()
    {
        lock (_gate)
        {
            var elapsed = _running.Values.Select(c => c.Elapsed).ToList();
            return new SweepTally(_total, _completed, _stopped, _failed, _running.Count, _left,
                SweepTally.EstimateRemaining(_durations, elapsed, _left, _workers));
        }
    }
}
