using ScaleLab.Core.Runs;

namespace ScaleLab.Torch.Training;

/// <summary>
/// Receives progress from <see cref="Trainer.Run"/> on the training thread: keep handlers quick.
/// The CLI renders them as a bar, plain lines or JSON lines.
/// </summary>
public interface ITrainingProgress
{
    void OnStart(TrainingStart start);

    void OnStep(StepProgress step);

    void OnEpoch(EpochMetrics metrics);

    void OnDone(RunSummary summary);

    /// <summary>Something the user should know that does not stop the run (one line, e.g. CPU contention); ignored by default.</summary>
    void OnWarning(string message)
    {
    }
}

/// <summary>Reports nothing: for library callers that only want the summary.</summary>
public sealed class SilentProgress : ITrainingProgress
{
    public static readonly SilentProgress Instance = new();

    public void OnStart(TrainingStart start) { }

    public void OnStep(StepProgress step) { }

    public void OnEpoch(EpochMetrics metrics) { }

    public void OnDone(RunSummary summary) { }
}
