using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Running;

/// <summary>The sweep is about to run: how many trials in all, how many were already final, how they will be run.</summary>
public sealed record SweepStart(string Name, string Directory, int Trials, int AlreadyFinished, int ToRun, int Workers, int ThreadsPerTrial);

/// <summary>
/// Receives a sweep's progress from <see cref="SweepRunner"/>. Calls come from worker threads, concurrently: an
/// implementation must be thread-safe and quick. The CLI renders them as one live view.
/// </summary>
public interface ISweepProgress
{
    void OnStart(SweepStart start);

    void OnTrialStart(TrialPlan trial, int attempt, bool resumed, SweepTally tally);

    void OnTrialEvent(TrialPlan trial, ProgressEvent step);

    void OnTrialEnd(TrialPlan trial, TrialRecord record, SweepTally tally);

    void OnDone(SweepTally tally);
}

/// <summary>Reports nothing.</summary>
public sealed class SilentSweepProgress : ISweepProgress
{
    public static readonly SilentSweepProgress Instance = new();

    public void OnStart(SweepStart start) { }

    public void OnTrialStart(TrialPlan trial, int attempt, bool resumed, SweepTally tally) { }

    public void OnTrialEvent(TrialPlan trial, ProgressEvent step) { }

    public void OnTrialEnd(TrialPlan trial, TrialRecord record, SweepTally tally) { }

    public void OnDone(SweepTally tally) { }
}
