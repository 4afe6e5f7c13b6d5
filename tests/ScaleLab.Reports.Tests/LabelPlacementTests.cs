using ScaleLab.Reports.Data;
using ScaleLab.Reports.Plots;

namespace ScaleLab.Reports.Tests;

public sealed class LabelPlacementTests
{
    /// <summary>The verify suite's 24 (estimated, measured) step memories in MiB (docs/engine-bench.md, 2-core build machine).</summary>
    internal static readonly EstimatePoint[] VerifySuiteMemory =
    [
        new("mlp-784-1000-500-250 ×256", 26.89, 26.58), new("mlp-784-1000-500-250 ×512", 30.34, 29.87), new("mlp-784-1000-500-250 ×1024", 37.29, 36.90),
        new("lenet-5 ×256", 18.56, 18.29), new("lenet-5 ×512", 36.18, 35.85), new("lenet-5 ×1024", 71.43, 71.07),
        new("keras-mnist-cnn ×64", 17.46, 19.10), new("keras-mnist-cnn ×128", 33.50, 34.94), new("keras-mnist-cnn ×256", 65.58, 66.86),
        new("resnet-stack ×16", 13.35, 14.16), new("resnet-stack ×32", 26.54, 26.35), new("resnet-stack ×64", 52.92, 52.73),
        new("lstm-classifier ×64", 15.98, 16.04), new("lstm-classifier ×128", 30.40, 30.21), new("lstm-classifier ×256", 59.23, 58.62),
        new("char-gpt ×4", 30.47, 30.70), new("char-gpt ×8", 48.18, 48.20), new("char-gpt ×16", 83.61, 83.09),
        new("gqa-decoder ×4", 38.67, 39.07), new("gqa-decoder ×8", 64.51, 64.97), new("gqa-decoder ×16", 116.18, 116.79),
        new("small-moe ×4", 25.48, 26.41), new("small-moe ×8", 35.39, 36.82), new("small-moe ×16", 55.23, 57.83),
    ];

    [Fact]
    public void EstimatePlot_VerifySuite24Points_NoTwoLabelBoxesOverlap()
    {
        var (plot, labels) = EstimatePlot.Build(VerifySuiteMemory, "Training-step memory: measured vs estimated", "estimated MiB", "measured MiB");

        Assert.Equal(24, labels.Count);   // every point keeps its label at 900 × 560
        for (int a = 0; a < labels.Count; a++)
            for (int b = a + 1; b < labels.Count; b++)
                Assert.False(labels[a].Box.Overlaps(labels[b].Box), $"{VerifySuiteMemory[labels[a].Index].Label} {labels[a].Box} overlaps {VerifySuiteMemory[labels[b].Index].Label} {labels[b].Box}");
        var data = plot.LastRender.DataRect;
        Assert.All(labels, l => Assert.True(l.Box.Inside(new LabelBox(data.Left, data.Top, data.Width, data.Height)), $"{l.Box} outside the data area"));
        Assert.Equal(labels.Count, labels.Select(l => l.Index).Distinct().Count());
    }

    [Fact]
    public void Place_TwoPointsOnTopOfEachOther_SecondLabelMovesAwayFromTheFirst()
    {
        var area = new LabelBox(0, 0, 400, 300);
        var placed = LabelPlacement.Place([(100, 100), (100, 100)], [(60, 14), (60, 14)], area, 4.5);
        Assert.Equal(2, placed.Count);
        Assert.Equal(new LabelBox(110.5, 75.5, 60, 14), placed[0].Box);   // right-above: 4.5 + 6 px from the point
        Assert.Equal(new LabelBox(110.5, 110.5, 60, 14), placed[1].Box);  // right-below
        Assert.False(placed[0].Box.Overlaps(placed[1].Box));
        Assert.False(placed[1].Leader);
    }

    [Fact]
    public void Place_AnOccupiedBox_NoLabelSitsUnderIt()
    {
        var area = new LabelBox(0, 0, 400, 300);
        var legend = new LabelBox(105, 70, 80, 25);   // covers the right-above position of the point at (100, 100)
        var placed = Assert.Single(LabelPlacement.Place([(100, 100)], [(60, 14)], area, 4.5, [legend]));
        Assert.Equal(new LabelBox(110.5, 110.5, 60, 14), placed.Box);   // right-below, the next free position
        Assert.False(placed.Box.Overlaps(legend));
    }

    [Fact]
    public void EstimatePlot_VerifySuite_NoLabelSitsUnderTheLegend()
    {
        var (plot, labels) = EstimatePlot.Build(VerifySuiteMemory, "Training-step memory: measured vs estimated", "estimated MiB", "measured MiB");
        using var disposed = plot;
        var legend = PointLabels.LegendBox(plot);

        Assert.NotNull(legend);
        var data = plot.LastRender.DataRect;
        // Lower right, inside the data area: where ShowLegend(Alignment.LowerRight) draws it.
        Assert.True(legend.Value.Inside(new LabelBox(data.Left, data.Top, data.Width, data.Height)), $"{legend} outside the data area");
        Assert.True(legend.Value.Left > data.Left + (data.Width / 2) && legend.Value.Top > data.Top + (data.Height / 2), $"{legend} not lower right");
        Assert.All(labels, l => Assert.False(l.Box.Overlaps(legend.Value), $"{VerifySuiteMemory[l.Index].Label} {l.Box} under the legend {legend}"));
    }

    [Fact]
    public void Place_NoFreePosition_DropsTheLabel()
    {
        var area = new LabelBox(0, 0, 80, 30);   // room for one 60 × 14 label right of the point, none for a second
        var placed = LabelPlacement.Place([(5, 15), (5, 15)], [(60, 14), (60, 14)], area, 1);
        Assert.Single(placed);
    }

    [Fact]
    public void EstimatePlot_VerifySuite_RendersAt900x560()
    {
        var image = EstimatePlot.Render(VerifySuiteMemory, "Training-step memory: measured vs estimated", "estimated MiB", "measured MiB", "verify-memory.png");
        Assert.Equal((900, 560), PngFile.Size(image.Png));
    }
}
