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
/// Runs one trial in the worker's trial host (<see cref="TrialProcess"/>: `scalelab trial --host`, sent `--spec F
/// --config F --out DIR/trials/ID [--threads N] [--resume]`), reading its progress events as they come, recording each
/// finished epoch, stopping it when the early stopping rule says so, and writing its outcome (read back from the run
/// directory) to the store when it ends.
/// </summary>
internal sealed class TrialExecution(string sweepDirectory, TrialCommand command, IResultsStore store, SweepBoard board,
    ISweepProgress progress, int? threads)
{
    /// <summary>Lines of the trial's stderr kept for the failure message.</summary>
    private const int StderrTail = 5;

    public void Run(TrialPlan plan, TrialSlot slot, CancellationToken ct, TrialLease? lease = null)
    {
        var paths = new TrialPaths(sweepDirectory, plan.Id);
        Directory.CreateDirectory(Path.GetDirectoryName(paths.SpecFile)!);
        RunJson.WriteAtomically(paths.SpecFile, ModelSpecJsonWriter.Write(plan.Spec));
        RunJson.WriteAtomically(paths.ConfigFile, TrainingConfigJson.Write(plan.Config) + "\n");
        bool resume = RunOutcome.HasCheckpoint(paths.RunDirectory);
        var arguments = TrialProcess.Arguments(paths, threads, resume);

        using var log = new StreamWriter(paths.LogFile, append: true) { AutoFlush = true };
        var stderr = new Queue<string>();
        board.Started(plan.Id);
        TrialHost host;
        try
        {
            host = slot.Acquire(command);
        }
        catch (Win32Exception ex)
        {
            store.MarkRunning(plan.Id, null, lease);
            Finish(plan, TrialStatus.Failed, $"could not start the trial process ({command}): {ex.Message}", paths, lease);
            return;
        }
        if (!store.MarkRunning(plan.Id, host.Id, lease))
        {
            board.Ended(plan.Id, TrialStatus.Queued, []);   // the lease was taken over before the trial began
            return;
        }
        progress.OnTrialStart(plan, store.Trial(plan.Id)?.Attempts ?? 1, resume, board.Tally());
        lock (stderr) log.WriteLine($"# {DateTime.UtcNow:O} pid {host.Id}: {command} {string.Join(" ", TrialProcess.HostArguments())} < {string.Join(" ", arguments)}");
        host.Attach(line =>
        {
            lock (stderr)
            {
                log.WriteLine(line);
                stderr.Enqueue(line);
                if (stderr.Count > StderrTail) stderr.Dequeue();
            }
        });

        string? stopReason = null;
        int? exitCode = null;
        using (ct.Register(host.Kill))
        {
            if (host.Send(arguments)) (stopReason, exitCode) = Follow(plan, host, paths, log, stderr, lease);
        }
        if (exitCode is int code)
        {
            host.WaitForErrorFrame();
            // Only a trial that ended as a trial process ends normally leaves its host for the next; the CPU's caches
            // are all a host keeps, where another device's memory pool would carry over into the next trial's figures.
            if (code != 0 || plan.Config.Device != ComputeDevice.Cpu) slot.Close();
        }
        else
        {
            exitCode = host.WaitForExit();   // it died, or was killed here: the next trial gets a fresh host
            slot.Close();
        }
        host.Attach(null);

        if (stopReason is null && ct.IsCancellationRequested)
        {
            store.MarkQueued(plan.Id, "interrupted: the sweep was cancelled; a re-run resumes this trial", lease);
            board.Ended(plan.Id, TrialStatus.Queued, RunReader.ReadEpochs(new RunFiles(paths.RunDirectory)));
            return;
        }
        string failure;
        lock (stderr)
        {
            failure = $"trial process exited with code {exitCode.Value.ToString(CultureInfo.InvariantCulture)} before finishing"
                + (stderr.Count > 0 ? ": " + string.Join(" | ", stderr) : $" (see {paths.LogFile})");
        }
        Finish(plan, stopReason is null ? TrialStatus.Failed : TrialStatus.StoppedEarly, stopReason ?? failure, paths, lease);
    }

    /// <summary>
    /// Reads progress lines until the trial's exit frame (its exit code), the host's end (null), or early stopping or a
    /// lost lease kills it (null, with the stop reason for early stopping).
    /// </summary>
    private (string? StopReason, int? ExitCode) Follow(TrialPlan plan, TrialHost host, TrialPaths paths, StreamWriter log, Queue<string> stderr, TrialLease? lease)
    {
        var files = new RunFiles(paths.RunDirectory);
        while (host.ReadLine() is { } line)
        {
            if (TrialProcess.IsExitFrame(line, out int code)) return (null, code);
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
            if (reason is not null) host.Kill();   // first, so the losing trial spends no more time
            if (!store.RecordEpoch(plan.Id, curve[^1], lease))
            {
                host.Kill();   // the lease was taken over: the trial is another worker's now
                return (null, null);
            }
            if (reason is not null) return (reason, null);
        }
        return (null, null);
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
}
