namespace ScaleLab.Core.Scaling;

/// <summary>The constants of L(x) = E + A·x^(−α).</summary>
public readonly record struct PowerLawConstants(double E, double A, double Alpha)
{
    public double Loss(double x) => E + (A * Math.Pow(x, -Alpha));
}

/// <summary>
/// L(x) = E + A·x^(−α) fitted to <see cref="Points"/> over one variable (parameters, training FLOPs or data).
/// Every constant carries its percentile-bootstrap interval at <see cref="ConfidenceLevel"/>; <see cref="Bootstrap"/>
/// holds the refits behind them, so any derived figure (a prediction, a loss band) gets its interval the same way.
/// </summary>
public sealed record PowerLawFit(
    string Variable,
    FitInterval E,
    FitInterval A,
    FitInterval Alpha,
    FitQuality Quality,
    double ConfidenceLevel,
    int Seed,
    IReadOnlyList<PowerLawPoint> Points,
    IReadOnlyList<double> LogResiduals,
    IReadOnlyList<PowerLawConstants> Bootstrap)
{
    public PowerLawConstants Constants => new(E.Estimate, A.Estimate, Alpha.Estimate);

    public double Loss(double x) => Constants.Loss(x);

    /// <summary>The law's value at x with its bootstrap interval: the band drawn around the fitted curve.</summary>
    public FitInterval LossBand(double x) => FitInterval.FromSamples(Loss(x), Bootstrap.Select(c => c.Loss(x)), ConfidenceLevel);

    /// <summary>
    /// The loss at x (usually beyond the largest measured size) with two intervals: the law's bootstrap interval and a
    /// prediction interval that also multiplies each bootstrap prediction by a resampled log residual of the fit,
    /// inflated by √(n / (n − 3)) because in-sample residuals understate the spread (3 fitted constants).
    /// </summary>
    public LossPrediction Predict(double x)
    {
        ScalingInput.RequirePositive(x, Variable, 0, "the size to predict at");
        return PredictionBand.Predict(Loss(x), [.. Bootstrap.Select(c => c.Loss(x))], LogResiduals, 3, ConfidenceLevel, Seed);
    }

    /// <summary>Doubling x multiplies the reducible loss L − E by 2^(−α): this is 1 − 2^(−α), with its interval.</summary>
    public FitInterval ReducibleLossCutPerDoubling => FitInterval.FromSamples(
        1 - Math.Pow(2, -Alpha.Estimate), Bootstrap.Select(c => 1 - Math.Pow(2, -c.Alpha)), ConfidenceLevel);

    /// <summary>The fraction by which the whole loss falls when x doubles from <paramref name="x"/>: 1 − L(2x)/L(x).</summary>
    public double LossCutOnDoubling(double x) => 1 - (Loss(2 * x) / Loss(x));
}
