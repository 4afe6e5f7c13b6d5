using ScaleLab.Core.Runs;

namespace ScaleLab.Core.Tests.Runs;

/// <summary>The run directory's one reader and its torn-line rule (docs/run-directory.md).</summary>
public sealed class RunReaderTests
{
    private const string Epoch1 = """{"epoch":1,"step":10,"train_loss":0.9,"val_loss":0.8,"lr":0.001,"epoch_seconds":1.5,"samples_per_second":640}""";
    private const string Epoch2 = """{"epoch":2,"step":20,"train_loss":0.7,"val_loss":0.75,"lr":0.001,"epoch_seconds":1.5,"samples_per_second":640}""";

    private static RunFiles NewRun(string metrics)
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-core-runs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, RunFiles.MetricsFile), metrics);
        return new RunFiles(dir);
    }

    [Fact]
    public void ReadEpochs_TornLastLine_IsLeftOut()
    {
        var files = NewRun(Epoch1 + "\n" + Epoch2 + "\n" + """{"epoch":3,"train_lo""");
        Assert.Equal([1, 2], RunReader.ReadEpochs(files).Select(e => e.Epoch));
    }

    [Fact]
    public void ReadEpochs_LastLineWithoutNewlineThatParses_IsKept()
    {
        var files = NewRun(Epoch1 + "\n" + Epoch2);
        Assert.Equal([1, 2], RunReader.ReadEpochs(files).Select(e => e.Epoch));
    }

    [Fact]
    public void ReadEpochs_DamagedLineBeforeTheEnd_NamesTheFileAndLine()
    {
        var files = NewRun(Epoch1 + "\n" + "{not json}\n" + Epoch2 + "\n");
        var ex = Assert.Throws<RunDirectoryException>(() => RunReader.ReadEpochs(files));
        Assert.StartsWith($"{files.MetricsJsonl}: line 2 is not a record (", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith("); only the last line may be cut short by a killed run", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadEpochs_RepeatedEpoch_KeepsItsLastRow()
    {
        // A resumed run redoes the epoch after its checkpoint: the second row is the record.
        var files = NewRun(Epoch1 + "\n" + Epoch2 + "\n" + Epoch2.Replace("0.75", "0.5", StringComparison.Ordinal) + "\n");
        var epochs = RunReader.ReadEpochs(files);
        Assert.Equal([(1, 0.8), (2, 0.5)], epochs.Select(e => (e.Epoch, e.ValLoss!.Value)));
    }

    [Fact]
    public void MetricsLog_AppendThenRead_RoundTripsEveryField()
    {
        var files = NewRun("");
        var m = new EpochMetrics(3, 30, 0.5, 0.8, 0.55, 0.79, 1e-4, 2.25, 512);
        new MetricsLog(files).Append(m);
        Assert.Equal(m, Assert.Single(RunReader.ReadEpochs(files)));
        Assert.Equal(EpochMetrics.CsvHeader + "\n3,30,0.5,0.8,0.55,0.79,0.0001,2.25,512\n", File.ReadAllText(files.MetricsCsv));
    }

    [Fact]
    public void TryReadSummary_ImpossibleFigure_NamesTheField()
    {
        var files = NewRun("");
        File.WriteAllText(files.Summary, """{"status":"completed","epochs_completed":1,"steps":1,"parameters":10,"samples_seen":-5}""");
        var ex = Assert.Throws<RunDirectoryException>(() => RunReader.TryReadSummary(files));
        Assert.Equal($"{files.Summary}: samples_seen is -5; it must be 0 or more — the file is damaged or was not written by `scalelab train`", ex.Message);
    }
}
