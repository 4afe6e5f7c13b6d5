namespace ScaleLab.Core.Scaling;

/// <summary>The constants of L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, eq. 2).</summary>
public readonly record struct JointConstants(double E, double A, double B, double Alpha, double Beta)
{
    public double Loss(double parameters, double tokens) =>
        E + (A / Math.Pow(parameters, Alpha)) + (B / Math.Pow(tokens, Beta));

    /// <summary>
    /// The N and D that minimise L under C = 6·N·D (Kaplan et al. 2020 §2.1 for 6ND): Hoffmann et al. 2022, eq. 4,
    /// N_opt = G·(C/6)^a, D_opt = G⁻¹·(C/6)^b with G = (αA / (βB))^(1/(α+β)), a = β/(α+β), b = α/(α+β).
    /// </summary>
    public (double Parameters, double Tokens) ComputeOptimal(double flops)
    {
        double g = Math.Pow(Alpha * A / (Beta * B), 1 / (Alpha + Beta));
        double parameters = g * Math.Pow(flops / 6, Beta / (Alpha + Beta));
        double tokens = Math.Pow(flops / 6, Alpha / (Alpha + Beta)) / g;
        return (parameters, tokens);
    }
}

/// <summary>The compute-optimal split of a FLOP budget, each figure with its bootstrap interval.</summary>
public sealed record ComputeOptimalAllocation(double Flops, FitInterval Parameters, FitInterval Tokens, FitInterval Loss);

/// <summary>
/// L(N, D) = E + A/N^α + B/D^β fitted to <see cref="Points"/> (see <see cref="JointScalingFitter"/>), each constant with
/// its percentile-bootstrap interval; <see cref="Bootstrap"/> holds the refits behind them.
/// </summary>
public sealed record JointScalingFit(
    FitInterval E,
    FitInterval A,
    FitInterval B,
    FitInterval Alpha,
    FitInterval Beta,
    FitQuality Quality,
    double ConfidenceLevel,
    int Seed,
    IReadOnlyList<JointPoint> Points,
    IReadOnlyList<double> LogResiduals,
    IReadOnlyList<JointConstants> Bootstrap)
{
    public JointConstants Constants => new(E.Estimate, A.Estimate, B.Estimate, Alpha.Estimate, Beta.Estimate);

    public double Loss(double parameters, double tokens) => Constants.Loss(parameters, tokens);

    /// <summary>The loss at (N, D) with the law's interval and a prediction interval (as <see cref="PowerLawFit.Predict"/>, 5 constants).</summary>
    public LossPrediction Predict(double parameters, double tokens)
    {
        ScalingInput.RequirePositive(parameters, "params", 0, "the size to predict at");
        ScalingInput.RequirePositive(tokens, "tokens", 0, "the size to predict at");
        return PredictionBand.Predict(Loss(parameters, tokens), [.. Bootstrap.Select(c => c.Loss(parameters, tokens))],
            LogResiduals, 5, ConfidenceLevel, Seed);
    }

    /// <summary>The compute-optimal N, D and loss for a budget of <paramref name="flops"/> (C ≈ 6ND), intervals from the refits.</summary>
    public ComputeOptimalAllocation ComputeOptimal(double flops)
    {
        ScalingInput.RequirePositive(flops, "compute budget (FLOPs)", 0, "--budget");
        var (n, d) = Constants.ComputeOptimal(flops);
        var splits = Bootstrap.Select(c => (Split: c.ComputeOptimal(flops), Law: c)).ToList();
        return new ComputeOptimalAllocation(
            flops,
            FitInterval.FromSamples(n, splits.Select(s => s.Split.Parameters), ConfidenceLevel),
            FitInterval.FromSamples(d, splits.Select(s => s.Split.Tokens), ConfidenceLevel),
            FitInterval.FromSamples(Loss(n, d), splits.Select(s => s.Law.Loss(s.Split.Parameters, s.Split.Tokens)), ConfidenceLevel));
    }
}
