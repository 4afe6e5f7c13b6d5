using System.Globalization;
using System.Text.Json;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Runs;

/// <summary>
/// metrics.jsonl and metrics.csv: one row per finished epoch; steps.jsonl: the step records (StepMetrics). On resume,
/// rows and step records past the checkpointed epoch (written before a kill, then redone) are dropped, so each epoch
/// and each step appears once.
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

    public void AppendStep(StepMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        File.AppendAllText(files.StepsJsonl, JsonSerializer.Serialize(m, RunJson.Compact) + "\n");
    }

    /// <summary>Several step records in one append (one open of steps.jsonl instead of one per record).</summary>
    public void AppendSteps(IReadOnlyList<StepMetrics> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) return;
        File.AppendAllText(files.StepsJsonl, string.Concat(records.Select(m => JsonSerializer.Serialize(m, RunJson.Compact) + "\n")));
    }

    public IReadOnlyList<StepMetrics> ReadSteps()
    {
        if (!File.Exists(files.StepsJsonl)) return [];
        return [.. File.ReadLines(files.StepsJsonl).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<StepMetrics>(l, RunJson.Options)!)];
    }

    /// <summary>Removes every row and step record (a fresh run in this directory).</summary>
    public void Clear()
    {
        File.Delete(files.MetricsJsonl);
        File.Delete(files.MetricsCsv);
        File.Delete(files.StepsJsonl);
    }

    public IReadOnlyList<EpochMetrics> Read()
    {
        if (!File.Exists(files.MetricsJsonl)) return [];
        return [.. File.ReadLines(files.MetricsJsonl).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<EpochMetrics>(l, RunJson.Options)!)];
    }

    /// <summary>Keeps the rows and step records of epochs 1..<paramref name="epochs"/> only.</summary>
    public void TruncateTo(int epochs)
    {
        var kept = Read().Where(m => m.Epoch <= epochs).ToList();
        var keptSteps = ReadSteps().Where(m => m.Epoch <= epochs).ToList();
        Clear();
        foreach (var m in kept) Append(m);
        foreach (var m in keptSteps) AppendStep(m);
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string R(double? v) => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : "";
}
