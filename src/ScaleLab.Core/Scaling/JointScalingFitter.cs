namespace ScaleLab.Core.Scaling;

/// <summary>
/// Fits L(N, D) = E + A/N^α + B/D^β exactly as Hoffmann et al. 2022 describe (Chinchilla, Appendix D.2, eq. 5):
/// minimise Σ Huber_δ(LSE(a − α·log N, b − β·log D, e) − log L) with δ = 1e-3 by L-BFGS from a grid of
/// initialisations and keep the best; intervals by percentile bootstrap (see <see cref="LawFitter"/>).
/// </summary>
public static class JointScalingFitter
{
    public const string ConstantNames = "E, A, B, α, β";

    /// <summary>|correlation| of log N and log D above which the two cannot be told apart (e.g. D = 20·N for every point).</summary>
    public const double MaxLogCorrelation = 0.999;

    public static JointScalingFit Fit(IReadOnlyList<JointPoint> points, ScalingFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        options ??= ScalingFitOptions.Default;
        options.Validate();
        for (int i = 0; i < points.Count; i++)
        {
            ScalingInput.RequirePositive(points[i].Parameters, "params", i, points[i].Source);
            ScalingInput.RequirePositive(points[i].Tokens, "tokens", i, points[i].Source);
            ScalingInput.RequirePositive(points[i].Loss, "loss", i, points[i].Source);
        }
        ScalingInput.RequireCount(points.Count, 5, ConstantNames, "L(N, D) = E + A/N^α + B/D^β");
        ScalingInput.RequireDistinct(points.Select(p => p.Parameters), 3, "params", "the joint law (E, A, α along N)");
        ScalingInput.RequireDistinct(points.Select(p => p.Tokens), 3, "tokens", "the joint law (E, B, β along D)");
        double r = LogCorrelation(points);
        if (Math.Abs(r) > MaxLogCorrelation)
        {
            throw new ScalingFitException(
                $"params and tokens vary together (correlation of their logarithms {r.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}): " +
                "the joint law cannot tell A/N^α from B/D^β; vary them independently, or fit one variable (L(x) = E + A·x^(−α))");
        }

        var solution = LawFitter.Fit(
            [[.. points.Select(p => p.Parameters)], [.. points.Select(p => p.Tokens)]], [.. points.Select(p => p.Loss)], options);
        var boot = solution.Bootstrap.Select(Constants).ToList();
        var best = Constants(solution.Theta);
        double level = options.ConfidenceLevel;
        return new JointScalingFit(
            FitInterval.FromSamples(best.E, boot.Select(c => c.E), level),
            FitInterval.FromSamples(best.A, boot.Select(c => c.A), level),
            FitInterval.FromSamples(best.B, boot.Select(c => c.B), level),
            FitInterval.FromSamples(best.Alpha, boot.Select(c => c.Alpha), level),
            FitInterval.FromSamples(best.Beta, boot.Select(c => c.Beta), level),
            solution.Quality, level, options.Seed, [.. points], solution.LogResiduals, boot);
    }

    /// <summary>True when the points vary N and D independently enough for <see cref="Fit"/>.</summary>
    public static bool CanSeparate(IReadOnlyList<JointPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        return points.Count > 5
            && points.Select(p => p.Parameters).Distinct().Count() >= 3
            && points.Select(p => p.Tokens).Distinct().Count() >= 3
            && Math.Abs(LogCorrelation(points)) <= MaxLogCorrelation;
    }

    private static double LogCorrelation(IReadOnlyList<JointPoint> points)
    {
        double[] n = [.. points.Select(p => Math.Log(p.Parameters))];
        double[] d = [.. points.Select(p => Math.Log(p.Tokens))];
        double mn = n.Average(), md = d.Average();
        double cov = 0, vn = 0, vd = 0;
        for (int i = 0; i < n.Length; i++)
        {
            cov += (n[i] - mn) * (d[i] - md);
            vn += (n[i] - mn) * (n[i] - mn);
            vd += (d[i] - md) * (d[i] - md);
        }
        return vn > 0 && vd > 0 ? cov / Math.Sqrt(vn * vd) : 1;
    }

    // θ = [e, a, α, b, β] (LawFitter's order: floor, then one (log scale, exponent) pair per variable).
    private static JointConstants Constants(double[] theta) =>
        new(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[3]), theta[2], theta[4]);
}
