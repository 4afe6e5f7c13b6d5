using ScaleLab.Core.Runs;
using System.Diagnostics;
using ScaleLab.Torch.Logging;
using ScaleLab.Torch.Runs;

namespace ScaleLab.Torch.Training;

/// <summary>
/// Step records on their way to steps.jsonl and TensorBoard: held for up to <see cref="FlushInterval"/> and written in
/// one append, so a fast small model does not open steps.jsonl once per step (each open cost 30–100 µs here, more
/// with other jobs on the disk, next to a 1 ms step). <see cref="Flush"/> at the end of each epoch, so a reader of the
/// run directory between epochs sees every record.
/// </summary>
internal sealed class StepRecordBuffer(MetricsLog metrics, TensorBoardWriter writer)
{
    /// <summary>The longest a record waits before it is written: a live dashboard lags by at most this.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly List<StepMetrics> _pending = [];
    private long _lastFlush = Stopwatch.GetTimestamp();

    public void Add(StepMetrics record)
    {
        _pending.Add(record);
        if (Stopwatch.GetElapsedTime(_lastFlush) >= FlushInterval) Flush();
    }

    /// <summary>Writes what is pending: steps.jsonl, and the step/ scalars of TensorBoard (x = global step).</summary>
    public void Flush()
    {
        _lastFlush = Stopwatch.GetTimestamp();
        if (_pending.Count == 0) return;
        metrics.AppendSteps(_pending);
        foreach (var record in _pending)
        {
            writer.AddScalar("step/loss/train", record.TrainLoss, record.Step);
            writer.AddScalar("step/lr", record.Lr, record.Step);
            writer.AddScalar("step/samples_per_second", record.SamplesPerSecond, record.Step);
        }

        _pending.Clear();
    }
}
