using System.Globalization;
using ScaleLab.Core.Scaling;
using ScaleLab.Reports.Plots;

namespace ScaleLab.Reports.Html;

/// <summary>The fitted laws in words, for the report and the terminal ("doubling parameters lowers loss by X%").</summary>
public static class ScalingLawText
{
    /// <summary>"L(params) = 0.251 + 31.4·params^−0.354", with each constant's interval after it.</summary>
    public static string Law(PowerLawFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return F($"L({fit.Variable}) = {fit.E.Estimate:G3} + {fit.A.Estimate:G3}·{fit.Variable}^−{fit.Alpha.Estimate:G3}  ") +
            F($"({fit.ConfidenceLevel:0%} intervals: E {Range(fit.E)}, A {Range(fit.A)}, α {Range(fit.Alpha)})") + Unconstrained(("E", fit.E), ("A", fit.A), ("α", fit.Alpha));
    }

    /// <summary>" — E and A are not constrained by these points (each interval spans over 100× or reaches 0)", or "".</summary>
    private static string Unconstrained(params (string Name, FitInterval Interval)[] constants)
    {
        var loose = constants.Where(c => c.Interval.IsUnconstrained).Select(c => c.Name).ToList();
        if (loose.Count == 0) return "";
        string names = loose.Count == 1 ? loose[0] : string.Join(", ", loose[..^1]) + " and " + loose[^1];
        return $" — {names} {(loose.Count == 1 ? "is" : "are")} not constrained by these points (the interval spans over 100× or reaches 0)";
    }

    /// <summary>
    /// Two sentences: the constant cut of the reducible loss per doubling (1 − 2^−α), and the cut of the whole loss at
    /// the largest size measured, which is smaller because the floor E does not move.
    /// </summary>
    public static string Doubling(PowerLawFit fit, string noun)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var cut = fit.ReducibleLossCutPerDoubling;
        double largest = fit.Points.Max(p => p.X);
        string step = F($"from the largest size measured ({fit.Variable} = {PlotCanvas.Compact(largest)}), doubling lowers the loss itself by {fit.LossCutOnDoubling(largest):0.0%} ") +
            F($"({fit.Loss(largest):G4} → {fit.Loss(2 * largest):G4})");
        // A claim resting on an unconstrained constant is not a finding: say what the data leave open, and what would pin it.
        if (fit.Alpha.IsUnconstrained)
            return F($"The exponent α is not constrained by these points ({fit.ConfidenceLevel:0%} interval {Range(fit.Alpha)}), so no rate per doubling of {noun} can be stated; ") +
                F($"{step}. Points over a wider range of {noun} would pin it.");
        string rate = F($"Doubling {noun} lowers the reducible loss (L − E) by {cut.Estimate:0.0%} ({fit.ConfidenceLevel:0%} interval {cut.Lower:0.0%} to {cut.Upper:0.0%}); ") + step;
        return fit.E.IsUnconstrained
            ? rate + F($". The floor E is not constrained by these points ({fit.ConfidenceLevel:0%} interval {Range(fit.E)}): larger models, or training each longer, would show where the loss stops falling.")
            : rate + F($", and no amount of {noun} takes it below E = {fit.E.Estimate:G3}.");
    }

    public static string Quality(FitQuality q) =>
        F($"Fit quality: log-RMSE {q.LogRmse:G3} (a typical point misses the law by about {Math.Exp(q.LogRmse) - 1:0.0%}), R² of log loss {q.LogRSquared:F4}, ") +
        F($"{q.Points} points, L-BFGS from {q.Starts} starts, {q.BootstrapSamples} bootstrap refits.");

    public static string Prediction(PowerLawFit fit, double x, LossPrediction p)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(p);
        return F($"At {fit.Variable} = {PlotCanvas.Compact(x)} the law predicts loss {p.Loss.Estimate:G4} ") +
            F($"(law {fit.ConfidenceLevel:0%} interval {p.Loss.Lower:G4}–{p.Loss.Upper:G4}; prediction interval for a new run {p.PredictionLower:G4}–{p.PredictionUpper:G4}).");
    }

    public static string Joint(JointScalingFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        return F($"L(N, D) = {fit.E.Estimate:G3} + {fit.A.Estimate:G3}/N^{fit.Alpha.Estimate:G3} + {fit.B.Estimate:G3}/D^{fit.Beta.Estimate:G3}  ") +
            F($"({fit.ConfidenceLevel:0%} intervals: E {Range(fit.E)}, A {Range(fit.A)}, B {Range(fit.B)}, α {Range(fit.Alpha)}, β {Range(fit.Beta)})")
            + Unconstrained(("E", fit.E), ("A", fit.A), ("B", fit.B), ("α", fit.Alpha), ("β", fit.Beta));
    }

    public static string ComputeOptimal(ComputeOptimalAllocation a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return F($"For {a.Flops:G3} FLOPs (C ≈ 6ND), the compute-optimal split is N ≈ {PlotCanvas.Compact(a.Parameters.Estimate)} parameters ") +
            F($"({PlotCanvas.Compact(a.Parameters.Lower)}–{PlotCanvas.Compact(a.Parameters.Upper)}) on D ≈ {PlotCanvas.Compact(a.Tokens.Estimate)} tokens ") +
            F($"({PlotCanvas.Compact(a.Tokens.Lower)}–{PlotCanvas.Compact(a.Tokens.Upper)}), reaching loss {a.Loss.Estimate:G4} ({a.Loss.Lower:G4}–{a.Loss.Upper:G4}).");
    }

    private static string Range(FitInterval i) => F($"{i.Lower:G3}–{i.Upper:G3}");

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
