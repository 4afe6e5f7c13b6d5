using System.Diagnostics;
using System.Globalization;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// A trial process left running by a sweep that was killed (SIGKILL does not take the children with it). Before the
/// trial is restarted, the orphan is stopped, so two processes never write one run directory. The process id comes
/// from the store; it is only trusted when /proc/PID/cmdline still names the trial's run directory (ids are reused),
/// or, for a trial host (whose command line names no trial), when it is a `trial --host` and the trial's host marker
/// (<see cref="TrialProcess.HostMarker"/>) names it: the host is still on this trial, not on one it took since.
/// </summary>
internal static class OrphanTrial
{
    public static bool Stop(int processId, string runDirectory)
    {
        string proc = Path.Combine("/proc", processId.ToString(CultureInfo.InvariantCulture));
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(proc, "cmdline"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;   // gone already (or not Linux)
        }
        var arguments = text.Split('\0');
        if (!arguments.Contains(runDirectory, StringComparer.Ordinal) && !IsHostOf(arguments, processId, runDirectory)) return false;
        try
        {
            using var process = Process.GetProcessById(processId);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;   // exited between the check and the kill
        }
        WaitUntilDead(Path.Combine(proc, "stat"), TimeSpan.FromSeconds(30));
        return true;
    }

    private static bool IsHostOf(string[] arguments, int processId, string runDirectory)
    {
        int verb = Array.IndexOf(arguments, TrialProcess.Verb);
        if (verb < 0 || verb + 1 >= arguments.Length || arguments[verb + 1] != TrialProcess.HostFlag) return false;
        try
        {
            return File.ReadAllText(TrialProcess.HostMarker(runDirectory)).Trim() == processId.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;   // no marker: the host is between trials or on another one
        }
    }

    /// <summary>
    /// Polls /proc/PID/stat: the orphan is not our child, so it cannot be waited for, and once killed it may linger
    /// as a zombie (state Z) until init reaps it; a zombie writes nothing more, so it counts as dead.
    /// </summary>
    private static void WaitUntilDead(string stat, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            string text;
            try
            {
                text = File.ReadAllText(stat);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return;
            }
            // "pid (comm) S …": the state letter follows the last ')'.
            int close = text.LastIndexOf(')');
            if (close < 0 || close + 2 >= text.Length || text[close + 2] is 'Z' or 'X') return;
            Thread.Sleep(50);
        }
    }
}
