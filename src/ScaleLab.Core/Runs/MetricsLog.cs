using System.Globalization;

namespace ScaleLab.Core.Runs;

/// <summary>
/// metrics.jsonl and metrics.csv: one row per finished epoch; steps.jsonl: the step records (StepMetrics). On resume,
/// rows and step records past the checkpointed epoch (written before a kill, then redone) are dropped, so each epoch
/// and each step appears once. Reading goes through <see cref="JsonLines"/> (the torn-line rule).
/// </summary>
public sealed class MetricsLog(RunFiles files)
{
    public void Append(EpochMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (!File.Exists(files.MetricsCsv)) File.WriteAllText(files.MetricsCsv, EpochMetrics.CsvHeader + "\n");
        JsonLines.Append(files.MetricsJsonl, m);
        File.AppendAllText(files.MetricsCsv, string.Join(',',
            I(m.Epoch), I(m.Step), R(m.TrainLoss), R(m.TrainAccuracy), R(m.ValLoss), R(m.ValAccuracy), R(m.Lr), R(m.EpochSeconds), R(m.SamplesPerSecond)) + "\n");
    }

    public void AppendStep(StepMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        JsonLines.Append(files.StepsJsonl, m);
    }

    /// <summary>The epochs in order, each once: a repeated epoch (a resumed run redid it) keeps its last row.</summary>
    public IReadOnlyList<EpochMetrics> Read() =>
        [.. JsonLines.Read<EpochMetrics>(files.MetricsJsonl).GroupBy(m => m.Epoch).Select(g => g.Last()).OrderBy(m => m.Epoch)];

    /// <summary>The step records in step order, each step once (the last record of a repeated step).</summary>
    public IReadOnlyList<StepMetrics> ReadSteps() =>
        [.. JsonLines.Read<StepMetrics>(files.StepsJsonl).GroupBy(m => m.Step).Select(g => g.Last()).OrderBy(m => m.Step)];

    /// <summary>Several step records in one append (one open of steps.jsonl instead of one per record), each a whole line.</summary>
    public void AppendSteps(IReadOnlyList<StepMetrics> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        JsonLines.AppendAll(files.StepsJsonl, records);
    }

    /// <summary>Removes every row and step record (a fresh run in this directory).</summary>
    public void Clear()
    {
        File.Delete(files.MetricsJsonl);
        File.Delete(files.MetricsCsv);
        File.Delete(files.StepsJsonl);
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
