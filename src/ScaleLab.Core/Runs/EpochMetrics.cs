using System.Text.Json.Serialization;

namespace ScaleLab.Core.Runs;

/// <summary>One line of metrics.jsonl / metrics.csv: the figures of one finished epoch (1-based).</summary>
public sealed record EpochMetrics(
    int Epoch,
    long Step,
    double TrainLoss,
    double? TrainAccuracy,
    double? ValLoss,
    double? ValAccuracy,
    double Lr,
    double EpochSeconds,
    double SamplesPerSecond)
{
    /// <summary>The epoch with the lowest validation loss (the one a run keeps as best), or null when none has one.</summary>
    public static EpochMetrics? BestOf(IEnumerable<EpochMetrics> epochs) => epochs.Where(e => e.ValLoss is not null).MinBy(e => e.ValLoss);

    /// <summary>The CSV header, in the JSONL key order.</summary>
    [JsonIgnore]
    public static string CsvHeader => "epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,lr,epoch_seconds,samples_per_second";
}
