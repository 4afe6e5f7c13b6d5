using ScaleLab.Experiments.Store;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// Reads what a trial process left in its run directory (summary.json, metrics.jsonl: the engine's contract) into the
/// store's terms. A run that finished (completed, or the trainer's own early stopping) is Completed; a diverged run is
/// Failed with the trainer's message; anything else did not finish.
/// </summary>
public static class RunImport
{
    /// <summary>True when summary.json says the run ended on its own (completed, early-stopped or diverged).</summary>
    public static bool HasFinished(string runDirectory) =>
        ReadSummary(new RunFiles(runDirectory)) is { Status: RunStatus.Completed or RunStatus.EarlyStopped or RunStatus.Diverged };

    public static bool HasCheckpoint(string runDirectory) => File.Exists(new RunFiles(runDirectory).LastState);

    /// <summary>
    /// The outcome of the run directory's last attempt. <paramref name="unfinished"/> is the status and message to
    /// record when the run did not end on its own (the runner stopped it early, or it was killed or crashed).
    /// </summary>
    public static (TrialOutcome Outcome, IReadOnlyList<EpochRecord> Epochs) Read(string trialId, string runDirectory, TrialStatus unfinished, string unfinishedMessage)
    {
        var files = new RunFiles(runDirectory);
        var epochs = Epochs(trialId, files);
        var summary = ReadSummary(files);
        var status = summary?.Status switch
        {
            RunStatus.Completed or RunStatus.EarlyStopped => TrialStatus.Completed,
            RunStatus.Diverged => TrialStatus.Failed,
            _ => unfinished,
        };
        string? message = status == unfinished && summary?.Status is not (RunStatus.Completed or RunStatus.EarlyStopped or RunStatus.Diverged)
            ? unfinishedMessage
            : summary?.Message;
        var final = summary?.Final;
        var last = epochs.Count > 0 ? epochs[^1] : null;
        var outcome = new TrialOutcome
        {
            Status = status,
            Message = message,
            Parameters = summary?.Parameters,
            EpochsCompleted = Math.Max(summary?.EpochsCompleted ?? 0, last?.Epoch ?? 0),
            Steps = summary?.Steps,
            // summary.json's training FLOPs are 3 × forward FLOPs per sample × samples seen, so samples = FLOPs / (3 × forward).
            SamplesSeen = summary is { TrainingFlops: double f, ForwardFlopsPerSample: long fwd } && fwd > 0 ? f / (3.0 * fwd) : null,
            TrainingFlops = summary?.TrainingFlops,
            StepSecondsMean = summary?.StepSecondsMean,
            TrainSeconds = summary?.TrainSeconds,
            PeakRssBytes = summary?.PeakRssBytes,
            FinalTrainLoss = final?.TrainLoss ?? last?.TrainLoss,
            FinalValLoss = final?.ValLoss ?? last?.ValLoss,
            FinalValAccuracy = final?.ValAccuracy ?? last?.ValAccuracy,
            BestEpoch = summary?.Best?.Epoch ?? BestOf(epochs)?.Epoch,
            BestValLoss = summary?.Best?.ValLoss ?? BestOf(epochs)?.ValLoss,
            TestLoss = summary?.Test?.Loss,
            TestAccuracy = summary?.Test?.Accuracy,
        };
        return (outcome, epochs);
    }

    /// <summary>The rows of metrics.jsonl; a torn last line (the process was killed mid-write) is left out.</summary>
    public static IReadOnlyList<EpochRecord> Epochs(string trialId, RunFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!File.Exists(files.MetricsJsonl)) return [];
        var rows = new List<EpochRecord>();
        foreach (string line in File.ReadLines(files.MetricsJsonl))
        {
            if (line.Length == 0) continue;
            EpochMetrics? m;
            try
            {
                m = System.Text.Json.JsonSerializer.Deserialize<EpochMetrics>(line, RunJson.Options);
            }
            catch (System.Text.Json.JsonException)
            {
                continue;
            }
            if (m is null) continue;
            rows.Add(new EpochRecord(trialId, m.Epoch, m.Step, m.TrainLoss, m.TrainAccuracy, m.ValLoss, m.ValAccuracy, m.Lr, m.EpochSeconds, m.SamplesPerSecond));
        }
        // A resumed run rewrites epochs past its checkpoint; keep the last row of each epoch.
        return [.. rows.GroupBy(r => r.Epoch).Select(g => g.Last()).OrderBy(r => r.Epoch)];
    }

    private static EpochRecord? BestOf(IReadOnlyList<EpochRecord> epochs) =>
        epochs.Where(e => e.ValLoss is not null).MinBy(e => e.ValLoss);

    private static RunSummary? ReadSummary(RunFiles files)
    {
        if (!File.Exists(files.Summary)) return null;
        RunSummary summary;
        try
        {
            summary = RunJson.Read<RunSummary>(files.Summary);
        }
        catch (RunDirectoryException)
        {
            return null;   // torn or unreadable: the run did not finish writing it
        }
        // Readable but impossible figures are not a torn write: refuse them by name rather than plot them.
        return RunSummaryChecks.Check(summary, files.Summary);
    }
}
