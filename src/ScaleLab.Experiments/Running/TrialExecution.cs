using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Training;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// Runs one trial as its own process (<see cref="TrialProcess"/>: `scalelab trial --spec F --config F --out
/// DIR/trials/ID [--threads N] [--resume]`), reading its progress events as they come, recording each finished epoch, stopping it when the early
/// stopping rule says so, and writing its outcome (read back from the run directory) to the store when it ends.
/// </summary>
internal sealed class TrialExecution(string sweepDirectory, TrialCommand command, IResultsStore store, SweepBoard board,
    ISweepProgress progress, int? threads)
{
    /// <summary>Lines of the trial's stderr kept for the failure message.</summary>
    private const int StderrTail = 5;

    public void Run(TrialPlan plan, CancellationToken ct, TrialLease? lease = null)
    {
        var paths = new TrialPaths(sweepDirectory, plan.Id);
        Directory.CreateDirectory(Path.GetDirectoryName(paths.SpecFile)!);
        RunJson.WriteAtomically(paths.SpecFile, ModelSpecJsonWriter.Write(plan.Spec));
        RunJson.WriteAtomically(paths.ConfigFile, TrainingConfigJson.Write(plan.Config) + "\n");
        bool resume = RunOutcome.HasCheckpoint(paths.RunDirectory);
        var arguments = TrialProcess.Arguments(paths, threads, resume);

        using var log = new StreamWriter(paths.LogFile, append: true) { AutoFlush = true };
        var stderr = new Queue<string>();
        using var process = new Process { StartInfo = command.StartInfo(arguments) };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr)
            {
                log.WriteLine(e.Data);
                stderr.Enqueue(e.Data);
                if (stderr.Count > StderrTail) stderr.Dequeue();
            }
        };
        board.Started(plan.Id);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            store.MarkRunning(plan.Id, null, lease);
            Finish(plan, TrialStatus.Failed, $"could not start the trial process ({command}): {ex.Message}", paths, lease);
            return;
        }
        if (!store.MarkRunning(plan.Id, process.Id, lease))
        {
            Kill(process);
            process.WaitForExit();
            board.Ended(plan.Id, TrialStatus.Queued, []);
            return;
        }
        progress.OnTrialStart(plan, store.Trial(plan.Id)?.Attempts ?? 1, resume, board.Tally());
        lock (stderr) log.WriteLine($"# {DateTime.UtcNow:O} pid {process.Id}: {command} {string.Join(" ", arguments)}");
        process.BeginErrorReadLine();

        string? stopReason = null;
        using (ct.Register(() => Kill(process)))
        {
            stopReason = Follow(plan, process, paths, log, stderr, lease);
            process.WaitForExit();
        }

        if (stopReason is null && ct.IsCancellationRequested)
        {
            store.MarkQueued(plan.Id, "interrupted: the sweep was cancelled; a re-run resumes this trial", lease);
            board.Ended(plan.Id, TrialStatus.Queued, RunReader.ReadEpochs(new RunFiles(paths.RunDirectory)));
            return;
        }
        string failure;
        lock (stderr)
        {
            failure = $"trial process exited with code {process.ExitCode.ToString(CultureInfo.InvariantCulture)} before finishing"
                + (stderr.Count > 0 ? ": " + string.Join(" | ", stderr) : $" (see {paths.LogFile})");
        }
        Finish(plan, stopReason is null ? TrialStatus.Failed : TrialStatus.StoppedEarly, stopReason ?? failure, paths, lease);
    }

    /// <summary>Reads progress lines until the process ends or early stopping kills it; returns the stop reason, if any.</summary>
    private string? Follow(TrialPlan plan, Process process, TrialPaths paths, StreamWriter log, Queue<string> stderr, TrialLease? lease)
    {
        var files = new RunFiles(paths.RunDirectory);
        while (process.StandardOutput.ReadLine() is { } line)
        {
            var ev = ProgressEvent.Parse(line, $"trial {plan.Id} ({paths.LogFile})");
            if (ev is null)
            {
                lock (stderr) log.WriteLine(line);
                continue;
            }
            progress.OnTrialEvent(plan, ev);
            if (ev is not ProgressEvent.Epoch) continue;
            // metrics.jsonl holds the epoch before the event is printed (the engine's order), so it is the record.
            var curve = RunReader.ReadEpochs(files);
            if (curve.Count == 0) continue;
            string? reason = curve[^1].Epoch < plan.Config.Epochs ? board.Observe(plan.Id, curve, curve[^1].Epoch) : null;
            if (reason is not null) Kill(process);   // first, so the losing trial spends no more time
            if (!store.RecordEpoch(plan.Id, curve[^1], lease))
            {
                Kill(process);   // the lease was taken over: the trial is another worker's now
                return null;
            }
            if (reason is not null) return reason;
        }
        return null;
    }

    private void Finish(TrialPlan plan, TrialStatus unfinished, string message, TrialPaths paths, TrialLease? lease)
    {
        var outcome = RunOutcome.Read(paths.RunDirectory, unfinished, message);
        if (!store.Finish(plan.Id, outcome, lease))
        {
            board.Ended(plan.Id, TrialStatus.Queued, outcome.Epochs);
            return;
        }
        board.Ended(plan.Id, outcome.Status, outcome.Epochs);
        progress.OnTrialEnd(plan, store.Trial(plan.Id)!, board.Tally());
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }
}
