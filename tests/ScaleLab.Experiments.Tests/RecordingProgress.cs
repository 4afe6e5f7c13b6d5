using System.Collections.Concurrent;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

/// <summary>Keeps every progress call, for assertions (calls arrive from worker threads).</summary>
internal sealed class RecordingProgress : ISweepProgress
{
    public SweepStart? Start { get; private set; }
    public SweepTally? Done { get; private set; }
    public ConcurrentQueue<(string Id, bool Resumed)> Started { get; } = new();
    public ConcurrentQueue<ProgressEvent> Events { get; } = new();
    public ConcurrentQueue<TrialRecord> Ended { get; } = new();

    public void OnStart(SweepStart start) => Start = start;

    public void OnTrialStart(TrialPlan trial, int attempt, bool resumed, SweepTally tally) => Started.Enqueue((trial.Id, resumed));

    public void OnTrialEvent(TrialPlan trial, ProgressEvent step) => Events.Enqueue(step);

    public void OnTrialEnd(TrialPlan trial, TrialRecord record, SweepTally tally) => Ended.Enqueue(record);

    public void OnDone(SweepTally tally) => Done = tally;
}
