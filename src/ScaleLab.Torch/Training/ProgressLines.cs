using System.Diagnostics;
using ScaleLab.Core.Runs;

namespace ScaleLab.Torch.Training;

/// <summary>
/// Sends a run's progress as the trial protocol's JSON lines (<see cref="ProgressEvent"/>, docs/run-directory.md), for
/// a parent process: `scalelab train --progress json` and the sweep's trial processes. Steps are sent at most every
/// 0.2 s and at each epoch's last step, so the stream stays small at any step rate.
/// </summary>
public sealed class ProgressLines(TextWriter output) : ITrainingProgress
{
    private static readonly TimeSpan StepInterval = TimeSpan.FromMilliseconds(200);
    private readonly Stopwatch _sinceStep = Stopwatch.StartNew();

    public void OnStart(TrainingStart start) => Send(new ProgressEvent.Start(start));

    public void OnStep(StepProgress step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (_sinceStep.Elapsed < StepInterval && step.Step != step.StepsPerEpoch) return;
        _sinceStep.Restart();
        Send(new ProgressEvent.Step(step));
    }

    public void OnEpoch(EpochMetrics metrics) => Send(new ProgressEvent.Epoch(metrics));

    public void OnDone(RunSummary summary) => Send(new ProgressEvent.Done(summary));

    // Not an event: the parent reads stdout as events of a fixed set, and a warning is for the person, on stderr.
    public void OnWarning(string message) => Console.Error.WriteLine("warning: " + message);

    private void Send(ProgressEvent e)
    {
        output.WriteLine(e.ToLine());
        output.Flush();
    }
}
