namespace ScaleLab.Core.Scaling;

/// <summary>
/// A fitted quantity: the estimate from all points and a percentile-bootstrap interval at the fit's confidence level
/// (Efron &amp; Tibshirani 1993, "An Introduction to the Bootstrap", §13.3). The estimate need not sit mid-interval.
/// </summary>
public readonly record struct FitInterval(double Estimate, double Lower, double Upper)
{
    public bool Contains(double value) => value >= Lower && value <= Upper;

    /// <summary>Upper − Lower.</summary>
    public double Width => Upper - Lower;

    /// <summary>The widest ratio Upper / Lower at which the points still pin a positive constant: two orders of magnitude.</summary>
    public const double MaxConstrainedRatio = 100;

    /// <summary>
    /// True when the points do not pin the constant: the interval reaches down to zero (the fitted E, A and B are
    /// exp(θ) and so positive; a lower end below a millionth of the estimate is the optimiser running to its bound), or
    /// spans more than <see cref="MaxConstrainedRatio"/> (a bootstrap that cannot tell 10⁻³ from 10). Claims that rest
    /// on such a constant ("no amount of data takes the loss below E") should not be stated.
    /// </summary>
    public bool IsUnconstrained =>
        !double.IsFinite(Lower) || !double.IsFinite(Upper)
        || (Estimate > 0 && Lower <= Estimate * 1e-6)
        || (Lower > 0 && Upper / Lower > MaxConstrainedRatio);

    /// <summary>The interval of <paramref name="samples"/> (sorted or not) around <paramref name="estimate"/> at <paramref name="level"/> (e.g. 0.95).</summary>
    public static FitInterval FromSamples(double estimate, IEnumerable<double> samples, double level)
    {
        ArgumentNullException.ThrowIfNull(samples);
        double[] sorted = [.. samples.Where(double.IsFinite).Order()];
        if (sorted.Length == 0) return new FitInterval(estimate, double.NaN, double.NaN);
        double tail = (1 - level) / 2;
        return new FitInterval(estimate, Percentile(sorted, tail), Percentile(sorted, 1 - tail));
    }

    /// <summary>The p-quantile of sorted values, interpolating between order statistics (Hyndman &amp; Fan 1996, type 7).</summary>
    internal static double Percentile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int low = (int)Math.Floor(h);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((h - low) * (sorted[high] - sorted[low]));
    }
}

/// <summary>How well a law fits its points: residuals are log L̂ − log L (natural log), the quantity the fit minimises.</summary>
/// <param name="LogRmse">Root mean square of the log residuals (0.01 ≈ a typical miss of 1 %).</param>
/// <param name="LogRSquared">1 − SS_res / SS_tot of log L: the share of the variation in log-loss the law explains.</param>
/// <param name="Objective">The minimised sum of Huber losses at the estimate.</param>
/// <param name="Starts">Initialisations L-BFGS ran from on all points.</param>
/// <param name="BootstrapSamples">Refits behind the intervals.</param>
public sealed record FitQuality(int Points, double LogRmse, double LogRSquared, double Objective, int Starts, int BootstrapSamples);

/// <summary>A predicted loss: the law's value, the bootstrap interval of that value (where the law is), and a wider
/// prediction interval that adds the spread of the points around the law (where a new measurement would land).</summary>
public sealed record LossPrediction(FitInterval Loss, double PredictionLower, double PredictionUpper);
