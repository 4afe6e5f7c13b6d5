using ScaleLab.Torch.Evaluation;

namespace ScaleLab.Torch.Tests.Evaluation;

public sealed class RegressionMetricsTests
{
    [Fact]
    public void Report_SklearnDocExample_GivesMse0375Mae05R2_0949()
    {
        // sklearn.metrics docs: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0.0, 2, 8].
        // SSE = 0.25 + 0.25 + 0 + 1 = 1.5; mean y = 2.875; SST = 29.1875; R² = 1 − 1.5 / 29.1875.
        var m = new RegressionMetrics(1);
        m.Add([3f, -0.5f], [2.5f, 0f]);
        m.Add([2f, 7f], [2f, 8f]);                    // two batches: the sums must stream
        var r = m.Report();
        Assert.Equal(4, r.Samples);
        Assert.Equal(0.375, r.Mse, 12);
        Assert.Equal(0.5, r.Mae, 12);
        Assert.Equal(1 - 1.5 / 29.1875, r.R2, 12);
    }

    [Fact]
    public void Report_TwoTargets_AveragesR2Uniformly()
    {
        // y = [[0.5, 1], [-1, 1], [7, -6]], ŷ = [[0, 2], [-1, 2], [8, -5]] (sklearn r2_score docs).
        // Column 0: SSE 1.25, SST 36.1667 (mean 13/6). Column 1: SSE 3, SST 32.6667 (mean −4/3).
        var m = new RegressionMetrics(2);
        m.Add([0.5f, 1, -1, 1, 7, -6], [0, 2, -1, 2, 8, -5]);
        var r = m.Report();
        double sst0 = 0.5 * 0.5 + 1 + 49 - 6.5 * 6.5 / 3, sst1 = 1 + 1 + 36 - 16.0 / 3;
        Assert.Equal(((1 - 1.25 / sst0) + (1 - 3 / sst1)) / 2, r.R2, 6);
        Assert.InRange(r.R2, 0.936, 0.937);             // sklearn's docs print 0.936... for this example
        Assert.Equal((0.25 + 1 + 0 + 1 + 1 + 1) / 6, r.Mse, 12);
    }

    [Fact]
    public void Report_ConstantTarget_IsOneWhenExactAndZeroOtherwise()
    {
        var exact = new RegressionMetrics(1);
        exact.Add([2f, 2f], [2f, 2f]);
        Assert.Equal(1.0, exact.Report().R2);
        var off = new RegressionMetrics(1);
        off.Add([2f, 2f], [2f, 3f]);
        Assert.Equal(0.0, off.Report().R2);
    }
}
