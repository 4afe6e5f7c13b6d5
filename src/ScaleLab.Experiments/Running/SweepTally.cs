namespace ScaleLab.Experiments.Running;

/// <summary>Trials by state at one moment, and the time left if the rest take as long as those finished so far.</summary>
public sealed record SweepTally(int Total, int Completed, int StoppedEarly, int Failed, int Running, int Left, TimeSpan? Eta)
{
    public int Done => Completed + StoppedEarly + Failed;

    /// <summary>
    /// ETA from completed trial times: the queued trials at the mean time each, plus what the running ones have left
    /// of the mean, shared over the workers. Null until one trial has finished in this run.
    /// </summary>
    public static TimeSpan? EstimateRemaining(IReadOnlyList<TimeSpan> finished, IReadOnlyList<TimeSpan> runningElapsed, int left, int workers)
    {
        ArgumentNullException.ThrowIfNull(finished);
        ArgumentNullException.ThrowIfNull(runningElapsed);
        if (finished.Count == 0) return null;
        double mean = finished.Average(t => t.TotalSeconds);
        double work = (left * mean) + runningElapsed.Sum(e => Math.Max(0, mean - e.TotalSeconds));
        return TimeSpan.FromSeconds(work / Math.Max(1, workers));
    }
}
