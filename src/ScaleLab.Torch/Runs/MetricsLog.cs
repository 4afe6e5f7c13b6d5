using System.Globalization;
using System.Text.Json;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Runs;

/// <summary>
/// metrics.jsonl and metrics.csv: one row per finished epoch. On resume, rows past the checkpointed epoch
/// (written before a kill, then redone) are dropped, so each epoch appears once.
/// </summary>
public sealed class MetricsLog(RunFiles files)
{
    public void Append(EpochMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (!File.Exists(files.MetricsCsv)) File.WriteAllText(files.MetricsCsv, EpochMetrics.CsvHeader + "\n");
        File.AppendAllText(files.MetricsJsonl, JsonSerializer.Serialize(m, RunJson.Compact) + "\n");
        File.AppendAllText(files.MetricsCsv, string.Join(',',
            I(m.Epoch), I(m.Step), R(m.TrainLoss), R(m.TrainAccuracy), R(m.ValLoss), R(m.ValAccuracy), R(m.Lr), R(m.EpochSeconds), R(m.SamplesPerSecond)) + "\n");
    }

    public IReadOnlyList<EpochMetrics> Read()
    {
        if (!File.Exists(files.MetricsJsonl)) return [];
        return [.. File.ReadLines(files.MetricsJsonl).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<EpochMetrics>(l, RunJson.Options)!)];
    }

    /// <summary>Keeps the rows of epochs 1..<paramref name="epochs"/> only.</summary>
    public void TruncateTo(int epochs)
    {
        var kept = Read().Where(m => m.Epoch <= epochs).ToList();
        File.Delete(files.MetricsJsonl);
        File.Delete(files.MetricsCsv);
        foreach (var m in kept) Append(m);
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string R(double? v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
}
