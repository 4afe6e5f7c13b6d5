using ScaleLab.Core.Runs;
using ScaleLab.Core;
using ScaleLab.Reports.Data;

namespace ScaleLab.Reports.Tests;

public sealed class RunPlotsTests
{
    [Fact]
    public void WriteForRun_MetricsAndConfusion_WritesBothPngsAtTheirSizes()
    {
        string run = Path.Combine(SweepFixture.NewDirectory("run"), "mlp-64");
        SweepFixture.WriteRun(run, 64);
        SweepFixture.WriteConfusion(run);

        var written = RunPlots.WriteForRun(run);

        Assert.Equal([Path.Combine(run, "learning-curves.png"), Path.Combine(run, "confusion-matrix.png")], written);
        Assert.Equal((1400, 560), PngFile.Size(File.ReadAllBytes(written[0])));
        Assert.Equal((820, 720), PngFile.Size(File.ReadAllBytes(written[1])));
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));
    }

    [Fact]
    public void WriteForRun_NoConfusionFile_WritesOnlyTheLearningCurves()
    {
        string run = Path.Combine(SweepFixture.NewDirectory("run"), "mlp-8");
        SweepFixture.WriteRun(run, 8);
        Assert.Equal([Path.Combine(run, "learning-curves.png")], RunPlots.WriteForRun(run));
    }

    [Fact]
    public void ReadEpochs_TornLastLine_KeepsTheEpochsBeforeIt()
    {
        string run = Path.Combine(SweepFixture.NewDirectory("run"), "torn");
        SweepFixture.WriteRun(run, 16);
        File.AppendAllText(Path.Combine(run, "metrics.jsonl"), "{\"epoch\":5,\"train_lo");
        var epochs = RunReader.ReadEpochs(run);
        Assert.Equal([1, 2, 3, 4], epochs.Select(e => e.Epoch));
    }

    [Fact]
    public void ReadCurves_StepRecords_TrainLossGoesThroughThemAndSkipsATornLine()
    {
        string run = Path.Combine(SweepFixture.NewDirectory("run"), "steps");
        SweepFixture.WriteRun(run, 16);
        File.WriteAllText(Path.Combine(run, "steps.jsonl"),
            "{\"epoch\":1,\"step\":2,\"epochs_done\":0.5,\"train_loss\":2.25,\"lr\":0.001,\"samples_per_second\":100}\n" +
            "{\"epoch\":1,\"step\":4,\"epochs_done\":1,\"train_loss\":1.5,\"lr\":0.001,\"samples_per_second\":100}\n" +
            "{\"epoch\":2,\"step\":6,\"epochs_d");
        var series = Plots.LearningCurvePlot.TrainLossSeries(RunPlots.ReadCurves(run));
        Assert.Equal([(0.5, 2.25), (1.0, 1.5)], series);
    }

    [Fact]
    public void ReadCurves_NoStepRecords_TrainLossHasOnePointPerEpoch()
    {
        string run = Path.Combine(SweepFixture.NewDirectory("run"), "epochs");
        SweepFixture.WriteRun(run, 16);
        var curves = RunPlots.ReadCurves(run);
        Assert.Equal(curves.Epochs.Select(e => ((double)e.Epoch, e.TrainLoss)), Plots.LearningCurvePlot.TrainLossSeries(curves));
    }

    [Fact]
    public void ReadConfusion_RaggedMatrix_NamesTheFileAndTheShape()
    {
        string dir = SweepFixture.NewDirectory("confusion");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "confusion.json");
        File.WriteAllText(path, """{"matrix": [[1, 2], [3]]}""");
        var ex = Assert.Throws<RunDirectoryException>(() => RunReader.ReadConfusion(new RunFiles(dir)));
        Assert.Equal($"{path}: matrix must be square: it has 2 rows and row 1 has 1 counts", ex.Message);
    }

    [Fact]
    public void ReadConfusion_NegativeCount_NamesTheCell()
    {
        string dir = SweepFixture.NewDirectory("confusion");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "confusion.json");
        File.WriteAllText(path, """{"matrix": [[1, -2], [3, 4]]}""");
        var ex = Assert.Throws<RunDirectoryException>(() => RunReader.ReadConfusion(new RunFiles(dir)));
        Assert.Equal($"{path}: matrix[0][1] = -2; counts must be non-negative integers", ex.Message);
    }
}
