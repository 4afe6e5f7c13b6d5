using ScaleLab.Reports.Data;
using ScaleLab.Reports.Plots;

namespace ScaleLab.Reports.Tests;

public sealed class PlotTests
{
    private static readonly CompressionPoint[] Variants =
    [
        new("fp32", 0.885, 1_000_000, 0.010), new("int8", 0.884, 260_000, 0.006),
        new("int4", 0.871, 140_000, 0.009), new("prune 90%", 0.880, 230_000, 0.011), new("bad", 0.860, 500_000, 0.020),
    ];

    [Fact]
    public void LossVsCompute_TrialSegmentsAreDrawnOverTheFrontier_WhichIsThinner()
    {
        var sweep = ScaleLab.Experiments.Store.SweepLoader.Instance.Load(SweepFixture.Store());
        using var plot = ScalingPlots.BuildLossVsCompute(sweep.Trials);
        var scatters = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();

        // Drawn in the order added: the frontier first, then every trial with FLOPs (the six completed widths).
        Assert.Equal(7, scatters.Count);
        Assert.Equal("compute-efficient frontier", scatters[0].LegendText);
        Assert.Equal(SweepFixture.Widths.Select(h => $"h={h}"), scatters.Skip(1).Select(s => s.LegendText));
        Assert.All(scatters.Skip(1), s => Assert.True(s.LineWidth > scatters[0].LineWidth, $"{s.LegendText}: {s.LineWidth} px, frontier {scatters[0].LineWidth} px"));
    }

    [Fact]
    public void ParetoFront_KeepsOnlyVariantsNothingSmallerBeats()
    {
        Assert.Equal(["int4", "prune 90%", "int8", "fp32"], ParetoPlot.Front(Variants).Select(p => p.Label));
    }

    [Fact]
    public void ParetoPlot_RendersAPngOfTheCanvasSize()
    {
        var image = ParetoPlot.Render(Variants);
        Assert.Equal("pareto.png", image.FileName);
        Assert.Equal((900, 560), PngFile.Size(image.Png));
    }

    [Fact]
    public void LogTicks_ThreeDecades_AreOneTwoFive()
    {
        var (positions, labels) = PlotCanvas.LogTickValues(1500, 900_000);
        // Ticks reach a little past the data (down to min / 1.5) so the axis ends are labelled.
        Assert.Equal(["1k", "2k", "5k", "10k", "20k", "50k", "100k", "200k", "500k", "1M"], labels);
        Assert.Equal(3, positions[0], 12);
    }

    [Fact]
    public void LogTicks_InsideOneDecade_AreEvenRoundValues()
    {
        var (_, labels) = PlotCanvas.LogTickValues(0.31, 0.52);
        Assert.Equal(["0.3", "0.35", "0.4", "0.45", "0.5", "0.55"], labels);
    }

    [Fact]
    public void Compact_FormatsCountsWithSiSuffixes()
    {
        Assert.Equal("7.95k", PlotCanvas.Compact(7_950));
        Assert.Equal("1.41M", PlotCanvas.Compact(1_410_750));
        Assert.Equal("5.8e23", PlotCanvas.Compact(5.76e23));
        Assert.Equal("0.412", PlotCanvas.Compact(0.41234));
        Assert.Equal("0.0025", PlotCanvas.Compact(0.0025));
    }
}
