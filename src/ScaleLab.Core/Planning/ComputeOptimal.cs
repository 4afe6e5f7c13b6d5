namespace ScaleLab.Core.Planning;

/// <summary>A compute-optimal model size and token count for a FLOP budget, two ways.</summary>
/// <param name="RuleParameters">N with C = 6·N·D and D = 20·N: N = √(C / 120).</param>
/// <param name="FittedParameters">N_opt = G·(C/6)^a from the fitted loss (approach 3).</param>
/// <param name="FittedLoss">L(N_opt, D_opt) = E + A/N^α + B/D^β, nats per token on the paper's MassiveText.</param>
public sealed record ComputeOptimalSplit(
    double ComputeFlops,
    double RuleParameters,
    double RuleTokens,
    double FittedParameters,
    double FittedTokens,
    double FittedLoss)
{
    public double RuleLoss => ComputeOptimal.Loss(RuleParameters, RuleTokens);
}

/// <summary>
/// Chinchilla: Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models" (arXiv:2203.15556).
/// Rule of thumb: about 20 training tokens per parameter (Table 3: 70 B parameters ↔ 1.4 T tokens at Gopher's budget
/// 5.76e23 FLOPs), with C ≈ 6·N·D (Kaplan et al. 2020).
/// Fitted law, approach 3 (§3.3, eq. 10): L(N, D) = E + A/N^α + B/D^β with E = 1.69, A = 406.4, B = 410.7, α = 0.34,
/// β = 0.28. Minimising it under C = 6ND gives (Appendix D.2, eq. 4) N_opt = G·(C/6)^a, D_opt = G⁻¹·(C/6)^b with
/// G = (αA / (βB))^(1/(α+β)), a = β/(α+β), b = α/(α+β). With these rounded constants the fitted law favours a smaller
/// model than the rule (32.2 B parameters on 2.98 T tokens at Gopher's budget; the paper's approach 3 also points below
/// approaches 1 and 2), a known sensitivity of the fit (Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt").
/// </summary>
public static class ComputeOptimal
{
    public const double TokensPerParameter = 20;
    public const double E = 1.69, A = 406.4, B = 410.7, Alpha = 0.34, Beta = 0.28;

    public static double G => Math.Pow(Alpha * A / (Beta * B), 1 / (Alpha + Beta));

    public static double ExponentA => Beta / (Alpha + Beta);

    public static double ExponentB => Alpha / (Alpha + Beta);

    public static ComputeOptimalSplit For(double computeFlops)
    {
        if (!double.IsFinite(computeFlops) || computeFlops <= 0)
            throw new PlanningException($"--compute must be a positive number of FLOPs such as 5.76e23, got {computeFlops}");
        double ruleN = Math.Sqrt(computeFlops / (6 * TokensPerParameter));
        double fittedN = G * Math.Pow(computeFlops / 6, ExponentA);
        double fittedD = Math.Pow(computeFlops / 6, ExponentB) / G;
        return new ComputeOptimalSplit(computeFlops, ruleN, TokensPerParameter * ruleN, fittedN, fittedD, Loss(fittedN, fittedD));
    }

    /// <summary>The fitted loss L(N, D) = E + A/N^α + B/D^β.</summary>
    public static double Loss(double parameters, double tokens) =>
        E + (A / Math.Pow(parameters, Alpha)) + (B / Math.Pow(tokens, Beta));
}
