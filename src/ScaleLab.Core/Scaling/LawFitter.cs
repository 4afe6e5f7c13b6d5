namespace ScaleLab.Core.Scaling;

/// <summary>A fitted law in raw units: θ = [e, a₁, α₁, …] with E = exp(e), Aₖ = exp(aₖ), for L = E + Σₖ Aₖ·xₖ^(−αₖ).</summary>
internal sealed record LawSolution(double[] Theta, double[] LogResiduals, FitQuality Quality, IReadOnlyList<double[]> Bootstrap);

/// <summary>
/// The fitting procedure of Hoffmann et al. 2022 (Chinchilla, Appendix D.2): minimise the Huber loss of log residuals
/// (<see cref="HuberLogObjective"/>) with L-BFGS from a grid of initialisations and keep the best.
/// Three departures, all stated in docs/scaling.md: (0) L-BFGS starts from the best <see cref="ScalingFitOptions.MaxStarts"/>
/// grid points by objective value, not all of them; (1) each log xₖ is centred on its mean before fitting, so aₖ is the
/// log of the term's size at the geometric-mean x and the grid can be set from the data's own loss range instead of
/// the paper's a ∈ {0, 5, …, 25} (which suits N ~ 1e8–1e10 only); the minimum is the same, only the conditioning
/// changes; (2) the uncertainty comes from a percentile bootstrap: resample the points with replacement, refit from
/// the full-data optimum and the next best distinct grid optima, repeat with a fixed seed.
/// </summary>
internal static class LawFitter
{
    /// <summary>α (and β) starting values: the paper's {0, 0.5, 1, 1.5, 2} plus 0.25, since small exponents are common.</summary>
    private static readonly double[] ExponentGrid = [0, 0.25, 0.5, 1, 1.5, 2];

    /// <summary>E starts at these fractions of the smallest loss (E must lie below every point the law passes through).</summary>
    private static readonly double[] FloorFractions = [0.05, 0.25, 0.5, 0.75, 0.95];

    /// <summary>aₖ starts: log of the median loss plus these offsets (the term's size at the geometric-mean x).</summary>
    private static readonly double[] ScaleOffsets = [-4, -2, -1, 0, 1];

    /// <summary>Distinct grid optima (besides the best) each bootstrap refit also starts from.</summary>
    private const int ExtraBootstrapStarts = 1;

    public static LawSolution Fit(double[][] variables, double[] loss, ScalingFitOptions options)
    {
        int terms = variables.Length;
        var centre = new double[terms];
        var u = new double[terms][];
        for (int k = 0; k < terms; k++)
        {
            double[] logs = [.. variables[k].Select(v => Math.Log(v))];
            centre[k] = logs.Average();
            u[k] = [.. logs.Select(v => v - centre[k])];
        }
        double[] logLoss = [.. loss.Select(v => Math.Log(v))];
        var objective = new HuberLogObjective(u, logLoss, options.HuberDelta);

        var grid = Grid(terms, loss).ToList();
        var gradient = new double[objective.Dimension];
        var starts = grid.Count <= options.MaxStarts
            ? grid
            : [.. grid.OrderBy(s => objective.Evaluate(s, gradient)).Take(options.MaxStarts)];
        var optima = starts.Select(s => Lbfgs.Minimize(objective.Evaluate, s)).Where(m => double.IsFinite(m.Value)).OrderBy(m => m.Value).ToList();
        if (optima.Count == 0) throw new ScalingFitException("the scaling-law fit found no finite optimum from any starting point");
        var best = optima[0];
        var bootStarts = new List<double[]> { best.X };
        foreach (var m in optima.Skip(1))
        {
            if (bootStarts.Count > ExtraBootstrapStarts) break;
            if (bootStarts.All(b => Distance(b, m.X) > 1e-3)) bootStarts.Add(m.X);
        }

        double[] residuals = objective.Residuals(best.X);
        var bootstrap = Bootstrap(objective, bootStarts, options).Select(t => Uncentre(t, centre)).ToList();
        var quality = new FitQuality(loss.Length, Rmse(residuals), RSquared(residuals, logLoss), best.Value, starts.Count, bootstrap.Count);
        return new LawSolution(Uncentre(best.X, centre), residuals, quality, bootstrap);
    }

    private static IEnumerable<double[]> Grid(int terms, double[] loss)
    {
        double minLoss = loss.Min();
        double logMedian = Math.Log(loss.Order().ElementAt(loss.Length / 2));
        var perTerm = (from a in ScaleOffsets from alpha in ExponentGrid select (A: logMedian + a, Alpha: alpha)).ToList();
        IEnumerable<double[]> partial = FloorFractions.Select(f => new[] { Math.Log(minLoss * f) });
        for (int k = 0; k < terms; k++)
        {
            var current = partial;
            partial = current.SelectMany(p => perTerm.Select(t => (double[])[.. p, t.A, t.Alpha]));
        }
        return partial;
    }

    private static IEnumerable<double[]> Bootstrap(HuberLogObjective objective, List<double[]> starts, ScalingFitOptions options)
    {
        var random = new Random(options.Seed);
        int n = objective.Points;
        var indices = new int[n];
        for (int b = 0; b < options.BootstrapSamples; b++)
        {
            // A resample with fewer distinct points than constants cannot pin the law down; draw again (bounded).
            for (int tries = 0; tries < 100; tries++)
            {
                for (int i = 0; i < n; i++) indices[i] = random.Next(n);
                if (indices.Distinct().Count() >= objective.Dimension) break;
            }
            var resampled = objective.Resample(indices);
            Minimum? best = null;
            foreach (var start in starts)
            {
                var m = Lbfgs.Minimize(resampled.Evaluate, start);
                if (double.IsFinite(m.Value) && (best is null || m.Value < best.Value)) best = m;
            }
            if (best is not null) yield return best.X;
        }
    }

    /// <summary>Back to raw units: A·(x/x̄)^(−α) = A·x̄^α·x^(−α), so a_raw = a + α·log x̄.</summary>
    private static double[] Uncentre(double[] theta, double[] centre)
    {
        var raw = (double[])theta.Clone();
        for (int k = 0; k < centre.Length; k++) raw[1 + (2 * k)] = theta[1 + (2 * k)] + (theta[2 + (2 * k)] * centre[k]);
        return raw;
    }

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (p, q) => (p - q) * (p - q)).Sum());

    private static double Rmse(double[] residuals) => Math.Sqrt(residuals.Average(r => r * r));

    private static double RSquared(double[] residuals, double[] logLoss)
    {
        double mean = logLoss.Average();
        double total = logLoss.Sum(v => (v - mean) * (v - mean));
        return total > 0 ? 1 - (residuals.Sum(r => r * r) / total) : double.NaN;
    }
}
