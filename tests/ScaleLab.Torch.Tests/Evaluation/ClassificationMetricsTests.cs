using ScaleLab.Torch.Evaluation;

namespace ScaleLab.Torch.Tests.Evaluation;

public sealed class ClassificationMetricsTests
{
    [Fact]
    public void Confusion_RowsAreTruthColumnsArePredictions()
    {
        var m = ClassificationMetrics.Confusion([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], 3);
        Assert.Equal([[1L, 1, 0], [0L, 2, 0], [1L, 0, 1]], m);
    }

    [Fact]
    public void Report_ThreeClassExample_MatchesHandComputedValues()
    {
        // Class 0: TP 1, predicted 2, support 2 → P 1/2, R 1/2, F1 1/2.
        // Class 1: TP 2, predicted 3, support 2 → P 2/3, R 1,   F1 4/5.
        // Class 2: TP 1, predicted 1, support 2 → P 1,   R 1/2, F1 2/3.
        var r = ClassificationMetrics.Report(ClassificationMetrics.Confusion([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], 3));
        Assert.Equal([0.5, 2 / 3.0, 1.0], r.PerClass.Select(c => c.Precision));
        Assert.Equal([0.5, 1.0, 0.5], r.PerClass.Select(c => c.Recall));
        Assert.Equal(0.8, r.PerClass[1].F1, 12);
        Assert.Equal(2 / 3.0, r.PerClass[2].F1, 12);
        Assert.Equal((0.5 + 2 / 3.0 + 1) / 3, r.Macro.Precision, 12);
        Assert.Equal((0.5 + 0.8 + 2 / 3.0) / 3, r.Macro.F1, 12);
        Assert.Equal(4 / 6.0, r.Accuracy, 12);
        Assert.Equal(6, r.Samples);
    }

    [Fact]
    public void Report_UnequalSupport_WeightsBySupport()
    {
        // Class 0 (support 3): P 2/2, R 2/3, F1 0.8.  Class 1 (support 1): P 1/2, R 1, F1 2/3.
        var r = ClassificationMetrics.Report(ClassificationMetrics.Confusion([0, 0, 0, 1], [0, 0, 1, 1], 2));
        Assert.Equal((3 * 1.0 + 1 * 0.5) / 4, r.Weighted.Precision, 12);
        Assert.Equal((3 * (2 / 3.0) + 1 * 1.0) / 4, r.Weighted.Recall, 12);
        Assert.Equal((3 * 0.8 + 2 / 3.0) / 4, r.Weighted.F1, 12);
        Assert.Equal((1.0 + 0.5) / 2, r.Macro.Precision, 12);
        Assert.Equal(0.75, r.Accuracy, 12);
    }

    [Fact]
    public void Report_ClassNeverSeenNorPredicted_ScoresZeroLikeSklearnZeroDivision()
    {
        var r = ClassificationMetrics.Report(ClassificationMetrics.Confusion([0, 1], [0, 1], 3));
        Assert.Equal(new ClassMetrics(2, 0, 0, 0, 0), r.PerClass[2]);
        Assert.Equal(2 / 3.0, r.Macro.F1, 12);
        Assert.Equal(1.0, r.Weighted.F1, 12);
    }

    [Fact]
    public void PerplexityOf_LnTen_IsTen()
    {
        Assert.Equal(10.0, EvaluationResult.PerplexityOf(Math.Log(10)), 12);
    }
}
