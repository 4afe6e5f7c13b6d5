namespace ScaleLab.Torch.Compression;

/// <summary>
/// A latency measured with its noise: the median of <see cref="Rounds"/> round means and a distribution-free 95 %
/// confidence interval for that median, [x(k), x(n+1−k)] of the sorted rounds with k the largest order such that
/// P(Binomial(n, ½) &lt; k) ≤ 2.5 % (Conover, Practical Nonparametric Statistics, §3.2). With 15 rounds that is the
/// 4th and 12th fastest (96.5 % coverage). No assumption that timings are normal: they are not (a slow tail).
/// </summary>
public sealed record LatencyEstimate(double MedianMs, double LowMs, double HighMs, int Rounds)
{
    /// <summary>True when this is faster than <paramref name="other"/> beyond noise: the two intervals do not overlap.</summary>
    public bool FasterBeyondNoise(LatencyEstimate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return HighMs < other.LowMs;
    }

    /// <summary>The estimate of round means <paramref name="roundMs"/> (any order).</summary>
    public static LatencyEstimate FromRounds(IReadOnlyList<double> roundMs)
    {
        ArgumentNullException.ThrowIfNull(roundMs);
        if (roundMs.Count == 0) throw new ArgumentException("at least one round", nameof(roundMs));
        var sorted = roundMs.Order().ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        int k = LowerOrder(n);
        // Below 6 rounds no order statistic reaches 95 %: the interval is then the whole range, and says so by its width.
        return k == 0
            ? new LatencyEstimate(median, sorted[0], sorted[^1], n)
            : new LatencyEstimate(median, sorted[k - 1], sorted[n - k], n);
    }

    /// <summary>The largest k (1-based) with P(Binomial(n, ½) ≤ k − 1) ≤ 0.025, or 0 when none exists.</summary>
    internal static int LowerOrder(int n)
    {
        double cumulative = 0, term = Math.Pow(0.5, n);   // P(X = 0)
        int k = 0;
        for (int j = 0; j < n; j++)
        {
            cumulative += term;                             // P(X ≤ j)
            if (cumulative > 0.025) break;
            k = j + 1;
            term *= (double)(n - j) / (j + 1);
        }
        return k;
    }
}
