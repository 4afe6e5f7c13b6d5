using ScaleLab.Core.Accounting;

namespace ScaleLab.Core.Planning;

/// <summary>Compute, wall-clock time and cost of training on <see cref="Tokens"/> tokens.</summary>
/// <param name="TrainingFlopsPerToken">Forward + backward FLOPs per token from the layer-by-layer accounting (attention included).</param>
/// <param name="ExactFlops">TrainingFlopsPerToken × Tokens.</param>
/// <param name="ApproximateFlops">6·N·D with N the parameters used per token (Kaplan et al. 2020, §2.1).</param>
/// <param name="PeakFlopsPerGpu">The device's dense peak in the chosen format.</param>
/// <param name="CostPerGpuHour">Price per GPU-hour, when given; Cost is then GpuHours × price.</param>
public sealed record TrainingCompute(
    double Tokens,
    long ParametersPerToken,
    double TrainingFlopsPerToken,
    double ExactFlops,
    double ApproximateFlops,
    int Gpus,
    ComputeFormat Format,
    double PeakFlopsPerGpu,
    double Mfu,
    double? CostPerGpuHour)
{
    /// <summary>Seconds = FLOPs / (GPUs × peak × MFU).</summary>
    public double Seconds => ExactFlops / (Gpus * PeakFlopsPerGpu * Mfu);

    public double GpuHours => Seconds * Gpus / 3600.0;

    public double? Cost => CostPerGpuHour * GpuHours;
}

/// <summary>
/// Training time from FLOPs and model FLOPs utilisation. MFU is the fraction of the device's peak spent on the model's
/// own FLOPs (PaLM, Chowdhery et al. 2022, Appendix B): recomputed activations do not count, so checkpointing lowers
/// the MFU a run can reach instead of raising its FLOPs. PaLM 540B reached 46.2 % on TPU v4; 30–50 % is usual for
/// large dense models on A100/H100, hence the default 0.4.
/// </summary>
public static class TrainingTime
{
    /// <summary>Most training tokens a plan accepts: 10^18, about a million times the largest run; beyond it times print as infinity.</summary>
    public const double MaxTokens = 1e18;

    public const double DefaultMfu = 0.4;

    public static TrainingCompute Estimate(ModelCost cost, HardwareProfile hardware, double tokens, int gpus, ComputeFormat format,
        double mfu = DefaultMfu, double? pricePerGpuHour = null)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(hardware);
        if (!double.IsFinite(tokens) || tokens <= 0) throw new PlanningException($"--tokens must be a positive number, got {tokens}");
        if (tokens > MaxTokens) throw new PlanningException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--tokens {tokens:G3}: at most {MaxTokens:G3} is accepted"));
        if (gpus < 1) throw new PlanningException($"--gpus must be at least 1, got {gpus}");
        if (!double.IsFinite(mfu) || mfu <= 0 || mfu > 1) throw new PlanningException($"--mfu must be in (0, 1], got {mfu}; 0.4 is typical");
        if (pricePerGpuHour is { } price && (!double.IsFinite(price) || price < 0))
            throw new PlanningException($"--price-per-hour must be zero or positive, got {price}");

        // Per sample; a sequence model's sample is SequenceLength tokens, a layer stack's sample counts as one token.
        long tokensPerSample = Math.Max(1, cost.SequenceLength);
        double perToken = (double)cost.TrainingFlops / tokensPerSample;
        long n = cost.ActiveParameters;
        return new TrainingCompute(tokens, n, perToken, perToken * tokens, 6.0 * n * tokens, gpus, format,
            hardware.PeakFor(format), mfu, pricePerGpuHour);
    }
}
