using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Runs;

/// <summary>How a run directory's last attempt ended, in a store's terms, and a run directory read as a trial.</summary>
/// <param name="Status">Completed when the run ended on its own (completed, or the trainer's own early stopping); Failed when it diverged; otherwise the caller's status for a run that did not finish.</param>
public sealed record RunOutcome(TrialStatus Status, string? Message, RunSummary? Result, IReadOnlyList<EpochMetrics> Epochs)
{
    /// <summary>True when summary.json says the run ended on its own (completed, early-stopped or diverged).</summary>
    public static bool HasFinished(string runDirectory) =>
        RunReader.TryReadSummary(new RunFiles(runDirectory)) is { Status: RunStatus.Completed or RunStatus.EarlyStopped or RunStatus.Diverged };

    public static bool HasCheckpoint(string runDirectory) => File.Exists(new RunFiles(runDirectory).LastState);

    /// <summary>
    /// The outcome of <paramref name="runDirectory"/>. <paramref name="unfinished"/> and its message are recorded when the
    /// run did not end on its own (stopped early by a sweep, killed, or crashed).
    /// </summary>
    public static RunOutcome Read(string runDirectory, TrialStatus unfinished, string unfinishedMessage)
    {
        var files = new RunFiles(runDirectory);
        var epochs = RunReader.ReadEpochs(files);
        var summary = RunReader.TryReadSummary(files);
        return summary?.Status switch
        {
            RunStatus.Completed or RunStatus.EarlyStopped => new RunOutcome(TrialStatus.Completed, summary.Message, summary, epochs),
            RunStatus.Diverged => new RunOutcome(TrialStatus.Failed, summary.Message, summary, epochs),
            _ => new RunOutcome(unfinished, unfinishedMessage, summary, epochs),
        };
    }

    /// <summary>
    /// A run directory (one trained by `scalelab train`, or DIR/trials/ID of a sweep) as a trial: its plan from spec.json
    /// and config.json, its result from summary.json. A run without a final summary is Failed ("did not finish").
    /// </summary>
    public static (TrialRecord Trial, IReadOnlyList<EpochMetrics> Epochs) AsTrial(string id, string runDirectory)
    {
        var outcome = Read(runDirectory, TrialStatus.Failed, "the run did not finish (no final summary.json)");
        var files = new RunFiles(runDirectory);
        string spec = File.Exists(files.Spec) ? File.ReadAllText(files.Spec) : "";
        string config = File.Exists(files.Config) ? File.ReadAllText(files.Config) : "";
        long estimated = outcome.Result?.EstimatedParameters ?? EstimatedParameters(spec) ?? outcome.Result?.Parameters ?? 0;
        var plan = new TrialPlanRow(id, 0, id, "{}", spec, config, estimated, outcome.Result?.ForwardFlopsPerSample ?? 0, runDirectory);
        var trial = new TrialRecord
        {
            Plan = plan,
            SweepId = 0,
            Status = outcome.Status,
            Message = outcome.Message,
            EpochsCompleted = Math.Max(outcome.Result?.EpochsCompleted ?? 0, outcome.Epochs.Count > 0 ? outcome.Epochs[^1].Epoch : 0),
            Result = outcome.Result,
        };
        return (trial, outcome.Epochs);
    }

    private static long? EstimatedParameters(string specJson)
    {
        if (specJson.Length == 0) return null;
        try
        {
            return ModelAccounting.Account(ModelSpecJson.Parse(specJson, RunFiles.SpecFile)).Parameters;
        }
        catch (ScaleLabException)
        {
            return null;
        }
    }
}
