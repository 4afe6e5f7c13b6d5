namespace ScaleLab.Core.Scaling;

/// <summary>
/// Fits L(x) = E + A·x^(−α) the way Hoffmann et al. 2022 fitted L(N, D) (Chinchilla, Appendix D.2; see
/// <see cref="LawFitter"/>): Huber loss (δ = 1e-3) on log residuals, LSE form log L̂ = LSE(e, a − α·log x), L-BFGS from
/// a grid of starts, best kept; intervals by percentile bootstrap.
/// </summary>
public static class PowerLawFitter
{
    public const string ConstantNames = "E, A, α";

    /// <param name="variable">The name of x in messages and reports: "params", "flops", "data".</param>
    public static PowerLawFit Fit(IReadOnlyList<PowerLawPoint> points, string variable = "x", ScalingFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(variable);
        options ??= ScalingFitOptions.Default;
        options.Validate();
        for (int i = 0; i < points.Count; i++)
        {
            ScalingInput.RequirePositive(points[i].X, variable, i, points[i].Source);
            ScalingInput.RequirePositive(points[i].Loss, "loss", i, points[i].Source);
        }
        ScalingInput.RequireCount(points.Count, 3, ConstantNames, $"L({variable}) = E + A·{variable}^(−α)");
        ScalingInput.RequireDistinct(points.Select(p => p.X), 3, variable, "a power law with a floor E");

        var solution = LawFitter.Fit([[.. points.Select(p => p.X)]], [.. points.Select(p => p.Loss)], options);
        var boot = solution.Bootstrap.Select(Constants).ToList();
        var best = Constants(solution.Theta);
        double level = options.ConfidenceLevel;
        return new PowerLawFit(
            variable,
            FitInterval.FromSamples(best.E, boot.Select(c => c.E), level),
            FitInterval.FromSamples(best.A, boot.Select(c => c.A), level),
            FitInterval.FromSamples(best.Alpha, boot.Select(c => c.Alpha), level),
            solution.Quality,
            level,
            options.Seed,
            [.. points],
            solution.LogResiduals,
            boot);
    }

    private static PowerLawConstants Constants(double[] theta) => new(Math.Exp(theta[0]), Math.Exp(theta[1]), theta[2]);
}
