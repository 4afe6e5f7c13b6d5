using ScaleLab.Torch.Compression;

namespace ScaleLab.Torch.Tests.Compression;

/// <summary>The grid's rule on synthetic measurements: a variant is Pareto-optimal only when it is better beyond noise.</summary>
public sealed class ParetoRuleTests
{
    private static LatencyEstimate Latency(double low, double high) => new((low + high) / 2, low, high, 15);

    private static CompressionResult Result(string label, double accuracy, long fileBytes, LatencyEstimate batch64, int epochs = 0, bool fineTunedBaseline = false) =>
        new(label, "x", 266_610, 266_610, fileBytes, 1_068_072, 0.8775, accuracy, true,
            batch64, batch64, Latency(0.70, 1.32), Latency(0.70, 1.32), "TorchSharp fp32",
            null, null, null, null, null, null, 1, [], TestSamples: 10_000, FineTuneEpochs: epochs, IsFineTunedBaseline: fineTunedBaseline);

    [Fact]
    public void AccuracyNoise_IsTheNinetyFivePercentHalfWidth_OfADifferenceOfProportions()
    {
        // 1.96 · √((0.9·0.1 + 0.9·0.1) / 10,000) = 1.96 · 0.0042426…
        Assert.Equal(0.0083156, ParetoRule.AccuracyNoise(0.9, 0.9, 10_000), 7);
    }

    [Fact]
    public void LatencyEstimate_Of15Rounds_IsTheMedianBetweenThe4thAnd12thFastest()
    {
        var rounds = new double[] { 9, 3, 15, 1, 12, 7, 5, 14, 2, 8, 11, 4, 13, 6, 10 };
        Assert.Equal(new LatencyEstimate(8, 4, 12, 15), LatencyEstimate.FromRounds(rounds));
        Assert.Equal(4, LatencyEstimate.LowerOrder(15));
        Assert.Equal(1, LatencyEstimate.LowerOrder(6));
        Assert.Equal(0, LatencyEstimate.LowerOrder(5));
    }

    [Fact]
    public void Should_Not_Mark_Variants_That_Differ_Only_By_Noise()
    {
        // Given the case: the same file measured 0.725 ms and 1.321 ms, accuracies 0.05 points apart
        var a = Result("a", 0.8775, 1_000, Latency(0.70, 0.80));
        var b = Result("b", 0.8780, 1_000, Latency(0.72, 1.32));

        // Then neither is better than the other beyond noise on any axis, so neither is marked
        Assert.False(ParetoRule.IsParetoOptimal(a, [a, b]));
        Assert.False(ParetoRule.IsParetoOptimal(b, [a, b]));
    }

    [Fact]
    public void Should_Mark_Only_The_Variant_Faster_Beyond_Noise()
    {
        var fast = Result("fast", 0.8775, 1_000, Latency(0.30, 0.35));
        var slow = Result("slow", 0.8775, 1_000, Latency(0.70, 0.80));
        Assert.True(ParetoRule.IsParetoOptimal(fast, [fast, slow]));
        Assert.False(ParetoRule.IsParetoOptimal(slow, [fast, slow]));
    }

    [Fact]
    public void Should_Mark_A_Smaller_File_And_A_More_Accurate_Model_Beyond_Noise_But_Not_One_Worse_On_Every_Axis()
    {
        // Given: int8 a quarter of the size; fp32 + 1.75 points (beyond the ≈0.9-point noise); a sparse model no better than int8
        var int8 = Result("int8", 0.8770, 270_000, Latency(0.70, 0.80));
        var accurate = Result("baseline + 3 epochs", 0.8950, 1_068_072, Latency(0.70, 0.80), 3, fineTunedBaseline: true);
        var sparse = Result("prune 50%", 0.8790, 555_000, Latency(0.71, 0.81), 3);
        IReadOnlyList<CompressionResult> all = [int8, accurate, sparse];

        Assert.True(ParetoRule.IsParetoOptimal(int8, all));
        Assert.True(ParetoRule.IsParetoOptimal(accurate, all));
        // prune 50% is more accurate than int8 only within noise, bigger and not faster: int8 is as good on every axis
        Assert.False(ParetoRule.IsParetoOptimal(sparse, all));
        Assert.Same(accurate, ParetoRule.SameBudgetBaseline(sparse, all));
        Assert.Null(ParetoRule.SameBudgetBaseline(int8, all));
    }

    [Fact]
    public void Grid_WithFineTuning_StartsWithTheSameBudgetBaseline()
    {
        var grid = CompressionGrid.Default(new CompressionRequest { FinetuneEpochs = 3 });
        Assert.Equal("baseline + 3 epochs", grid[0].Label);
        Assert.Equal(
            ["baseline + 3 epochs", "prune 50%", "prune 80%", "prune 90%", "int8 per-channel symmetric", "int4 group 64 symmetric",
             "prune 90% + int8 per-tensor symmetric", "structured 50%", "low-rank 90% energy"],
            grid.Select(r => r.Label));
        Assert.DoesNotContain(CompressionGrid.Default(new CompressionRequest { FinetuneEpochs = 0 }), r => r.FineTuneBaseline);
    }
}
