namespace ScaleLab.Core.Scaling;

/// <summary>A smooth objective: returns f(x) and writes ∇f(x) into <c>gradient</c>.</summary>
internal delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>Where a minimisation stopped.</summary>
internal sealed record Minimum(double[] X, double Value, int Iterations);

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright 2006, "Numerical Optimization", Algorithm 7.4 two-loop recursion, §7.2)
/// with a backtracking Armijo line search (Algorithm 3.1). Small and allocation-light because a fit runs it thousands of
/// times (every grid start, every bootstrap refit); Hoffmann et al. used SciPy's L-BFGS-B the same way, unbounded.
/// </summary>
internal static class Lbfgs
{
    private const int Memory = 10;
    private const int MaxIterations = 500;
    private const double GradientTolerance = 1e-10;
    private const double RelativeTolerance = 1e-13;
    private const double Armijo = 1e-4;

    public static Minimum Minimize(Objective f, double[] start)
    {
        int n = start.Length;
        var x = (double[])start.Clone();
        var g = new double[n];
        double fx = f(x, g);
        if (!double.IsFinite(fx)) return new Minimum(x, double.PositiveInfinity, 0);

        var s = new double[Memory][];
        var y = new double[Memory][];
        var rho = new double[Memory];
        for (int i = 0; i < Memory; i++) { s[i] = new double[n]; y[i] = new double[n]; }
        var alpha = new double[Memory];
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        int stored = 0, head = 0, iteration = 0;

        for (; iteration < MaxIterations; iteration++)
        {
            if (MaxAbs(g) < GradientTolerance) break;
            Direction(g, s, y, rho, alpha, stored, head, d);
            double slope = Dot(g, d);
            if (!(slope < 0))
            {
                // Not a descent direction (curvature lost): forget the memory and take steepest descent.
                stored = 0;
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = -Dot(g, g);
            }
            double step = iteration == 0 && stored == 0 ? Math.Min(1.0, 1.0 / Math.Sqrt(-slope)) : 1.0;
            double fNew = double.NaN;
            bool accepted = false;
            for (int tries = 0; tries < 60; tries++, step *= 0.5)
            {
                for (int i = 0; i < n; i++) xNew[i] = x[i] + (step * d[i]);
                fNew = f(xNew, gNew);
                if (double.IsFinite(fNew) && fNew <= fx + (Armijo * step * slope)) { accepted = true; break; }
            }
            if (!accepted) break;

            double sy = 0;
            for (int i = 0; i < n; i++)
            {
                s[head][i] = xNew[i] - x[i];
                y[head][i] = gNew[i] - g[i];
                sy += s[head][i] * y[head][i];
            }
            // Keep the pair only when it carries positive curvature, so the implicit Hessian stays positive definite.
            if (sy > 1e-300)
            {
                rho[head] = 1 / sy;
                head = (head + 1) % Memory;
                stored = Math.Min(stored + 1, Memory);
            }
            bool flat = Math.Abs(fx - fNew) <= RelativeTolerance * Math.Max(Math.Max(Math.Abs(fx), Math.Abs(fNew)), 1e-300);
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            fx = fNew;
            if (flat) { iteration++; break; }
        }
        return new Minimum(x, fx, iteration);
    }

    /// <summary>d = −H·g by the two-loop recursion over the stored (s, y) pairs, newest first.</summary>
    private static void Direction(double[] g, double[][] s, double[][] y, double[] rho, double[] alpha, int stored, int head, double[] d)
    {
        int n = g.Length;
        for (int i = 0; i < n; i++) d[i] = -g[i];
        for (int k = 1; k <= stored; k++)
        {
            int j = (head - k + Memory) % Memory;
            alpha[j] = rho[j] * Dot(s[j], d);
            for (int i = 0; i < n; i++) d[i] -= alpha[j] * y[j][i];
        }
        if (stored > 0)
        {
            // Initial Hessian γI with γ = sᵀy / yᵀy of the newest pair (Nocedal & Wright eq. 7.20).
            int newest = (head - 1 + Memory) % Memory;
            double gamma = 1 / (rho[newest] * Dot(y[newest], y[newest]));
            for (int i = 0; i < n; i++) d[i] *= gamma;
        }
        for (int k = stored; k >= 1; k--)
        {
            int j = (head - k + Memory) % Memory;
            double beta = rho[j] * Dot(y[j], d);
            for (int i = 0; i < n; i++) d[i] += s[j][i] * (alpha[j] - beta);
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static double MaxAbs(double[] a)
    {
        double max = 0;
        foreach (double v in a) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
