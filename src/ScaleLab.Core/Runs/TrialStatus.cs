namespace ScaleLab.Core.Runs;

/// <summary>
/// Where a trial stands. Completed and StoppedEarly are final: a re-run of the sweep skips them. Queued, Running
/// and Failed trials are (re)started on a re-run, from their last checkpoint when they have one.
/// </summary>
public enum TrialStatus { Queued, Running, Completed, Failed, StoppedEarly }

/// <summary>The text form of <see cref="TrialStatus"/> stored in results.db (queued, running, completed, failed, stopped_early).</summary>
public static class TrialStatusText
{
    public static string ToText(this TrialStatus status) => status switch
    {
        TrialStatus.Queued => "queued",
        TrialStatus.Running => "running",
        TrialStatus.Completed => "completed",
        TrialStatus.Failed => "failed",
        _ => "stopped_early",
    };

    public static TrialStatus Parse(string text) => text switch
    {
        "queued" => TrialStatus.Queued,
        "running" => TrialStatus.Running,
        "completed" => TrialStatus.Completed,
        "failed" => TrialStatus.Failed,
        "stopped_early" => TrialStatus.StoppedEarly,
        _ => throw new ScaleLabException($"results store: trial status '{text}' is not one of queued, running, completed, failed, stopped_early"),
    };

    /// <summary>True for the statuses a re-run leaves alone.</summary>
    public static bool IsFinal(this TrialStatus status) => status is TrialStatus.Completed or TrialStatus.StoppedEarly;
}
