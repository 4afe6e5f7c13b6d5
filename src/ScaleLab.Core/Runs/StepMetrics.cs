namespace ScaleLab.Core.Runs;

/// <summary>
/// One line of steps.jsonl: the training figures of a window of steps, written every
/// <see cref="StepLogInterval.For"/> steps so a short run still has a curve. TrainLoss is the sample-weighted mean
/// loss over the window's steps, SamplesPerSecond the window's samples over its wall time, Lr the rate of its last
/// step. EpochsDone places the record on the epoch axis: 1.5 is halfway through epoch 2.
/// </summary>
public sealed record StepMetrics(int Epoch, long Step, double EpochsDone, double TrainLoss, double Lr, double SamplesPerSecond);

/// <summary>How often a step record is written.</summary>
public static class StepLogInterval
{
    /// <summary>The most step records one epoch writes: enough for a smooth curve, few enough that the file stays small.</summary>
    public const int MaxRecordsPerEpoch = 200;

    /// <summary>
    /// Steps between records: ceil(stepsPerEpoch / 200), at least 1. A record is written after every such window and
    /// after the epoch's last step, so an epoch of S steps writes ceil(S / interval) ≤ 200 records.
    /// </summary>
    public static long For(long stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        return Math.Max(1, (stepsPerEpoch + MaxRecordsPerEpoch - 1) / MaxRecordsPerEpoch);
    }

    /// <summary>The records an epoch of <paramref name="steps"/> steps writes at <paramref name="interval"/>.</summary>
    public static long RecordsPerEpoch(long steps, long interval) => (steps + interval - 1) / interval;
}
