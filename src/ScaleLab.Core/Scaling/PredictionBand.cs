namespace ScaleLab.Core.Scaling;

/// <summary>Turns bootstrap predictions and fit residuals into a confidence and a prediction interval.</summary>
internal static class PredictionBand
{
    public static LossPrediction Predict(double estimate, double[] bootstrapLosses, IReadOnlyList<double> logResiduals, int constants, double level, int seed)
    {
        var band = FitInterval.FromSamples(estimate, bootstrapLosses, level);
        int n = logResiduals.Count;
        if (bootstrapLosses.Length == 0 || n == 0) return new LossPrediction(band, band.Lower, band.Upper);
        // Residual bootstrap for a new observation (Davison & Hinkley 1997, §6.3.3): prediction × exp(ε*), ε* drawn from the
        // residuals scaled by √(n/(n−p)) so their spread is not the optimistic in-sample one.
        double inflate = Math.Sqrt(n / (double)Math.Max(n - constants, 1));
        var random = new Random(seed);
        var draws = new List<double>(bootstrapLosses.Length * 4);
        foreach (double loss in bootstrapLosses)
        {
            for (int j = 0; j < 4; j++) draws.Add(loss * Math.Exp(inflate * logResiduals[random.Next(n)]));
        }
        var spread = FitInterval.FromSamples(estimate, draws, level);
        return new LossPrediction(band, Math.Min(spread.Lower, band.Lower), Math.Max(spread.Upper, band.Upper));
    }
}
