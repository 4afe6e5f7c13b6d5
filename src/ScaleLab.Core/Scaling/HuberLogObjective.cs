namespace ScaleLab.Core.Scaling;

/// <summary>
/// The objective of Hoffmann et al. 2022 (Chinchilla, Appendix D.2, eq. 5): Σᵢ Huber_δ(LSE(e, a₁ − α₁·u₁ᵢ, …) − log Lᵢ),
/// with e = log E, aₖ = log Aₖ and uₖᵢ = log xₖᵢ, so that exp(LSE(…)) = E + Σₖ Aₖ·xₖ^(−αₖ). Fitting in log space gives
/// every point the same weight whatever its loss; the Huber loss keeps one bad run from dragging the law.
/// Parameters θ = [e, a₁, α₁, a₂, α₂, …]; one power term for L(x), two for L(N, D).
/// Each uₖ is centred on its geometric mean before fitting (see <see cref="LawFitter"/>): the same minimum, better conditioned.
/// </summary>
internal sealed class HuberLogObjective
{
    private readonly double[][] _u;      // [term][point]: centred log of the variable
    private readonly double[] _logLoss;  // [point]
    private readonly double _delta;

    public HuberLogObjective(double[][] u, double[] logLoss, double delta)
    {
        _u = u;
        _logLoss = logLoss;
        _delta = delta;
    }

    public int Terms => _u.Length;

    public int Dimension => 1 + (2 * _u.Length);

    public int Points => _logLoss.Length;

    /// <summary>
    /// log L̂ at point i (log-sum-exp, shifted by the largest term so nothing overflows); leaves in
    /// <paramref name="weights"/> each term's share exp(termₖ − LSE), which is ∂LSE/∂termₖ.
    /// </summary>
    public double LogPrediction(ReadOnlySpan<double> theta, int i, Span<double> weights)
    {
        weights[0] = theta[0];
        double max = weights[0];
        for (int k = 0; k < _u.Length; k++)
        {
            weights[k + 1] = theta[1 + (2 * k)] - (theta[2 + (2 * k)] * _u[k][i]);
            max = Math.Max(max, weights[k + 1]);
        }
        double sum = 0;
        for (int k = 0; k <= _u.Length; k++)
        {
            weights[k] = Math.Exp(weights[k] - max);
            sum += weights[k];
        }
        for (int k = 0; k <= _u.Length; k++) weights[k] /= sum;
        return max + Math.Log(sum);
    }

    public double Evaluate(ReadOnlySpan<double> theta, Span<double> gradient)
    {
        gradient.Clear();
        Span<double> weights = stackalloc double[1 + _u.Length];
        double total = 0;
        for (int i = 0; i < _logLoss.Length; i++)
        {
            double lse = LogPrediction(theta, i, weights);
            double r = lse - _logLoss[i];
            double abs = Math.Abs(r);
            // Huber (1964): r²/2 inside δ, δ(|r| − δ/2) outside; its derivative is r clipped to ±δ.
            total += abs <= _delta ? 0.5 * r * r : _delta * (abs - (0.5 * _delta));
            double dr = abs <= _delta ? r : _delta * Math.Sign(r);
            gradient[0] += dr * weights[0];
            for (int k = 0; k < _u.Length; k++)
            {
                double w = dr * weights[k + 1];
                gradient[1 + (2 * k)] += w;
                gradient[2 + (2 * k)] -= w * _u[k][i];
            }
        }
        return total;
    }

    /// <summary>log L̂ − log L at every point.</summary>
    public double[] Residuals(ReadOnlySpan<double> theta)
    {
        Span<double> terms = stackalloc double[1 + _u.Length];
        var residuals = new double[_logLoss.Length];
        for (int i = 0; i < residuals.Length; i++) residuals[i] = LogPrediction(theta, i, terms) - _logLoss[i];
        return residuals;
    }

    /// <summary>The same objective over the points at <paramref name="indices"/> (a bootstrap resample; repeats allowed).</summary>
    public HuberLogObjective Resample(int[] indices)
    {
        var u = new double[_u.Length][];
        for (int k = 0; k < _u.Length; k++) u[k] = [.. indices.Select(i => _u[k][i])];
        return new HuberLogObjective(u, [.. indices.Select(i => _logLoss[i])], _delta);
    }

    public double[] LogLoss => _logLoss;

    public double[] U(int term) => _u[term];
}
