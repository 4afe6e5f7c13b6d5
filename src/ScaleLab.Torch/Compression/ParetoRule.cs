namespace ScaleLab.Torch.Compression;

/// <summary>
/// Which compressed variants are worth keeping, judged beyond measurement noise on three axes: test accuracy (higher
/// is better), bytes on disk (smaller; exact, no noise) and batch-64 latency (lower; a 95 % interval per variant).
/// A variant is Pareto-optimal only if it beats every other variant beyond noise on at least one axis: if some other
/// variant is at least as good on every axis — within noise counts as "as good" — it is not. Two variants that
/// differ only by noise therefore are not both marked; a real improvement on any axis keeps a variant.
/// </summary>
public static class ParetoRule
{
    /// <summary>z for a two-sided 95 % interval.</summary>
    public const double Z95 = 1.96;

    public static bool IsParetoOptimal(CompressionResult candidate, IReadOnlyList<CompressionResult> all)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(all);
        return all.Where(other => !ReferenceEquals(other, candidate)).All(other => BeatsBeyondNoise(candidate, other));
    }

    /// <summary>True when <paramref name="a"/> is better than <paramref name="b"/> beyond noise on at least one axis.</summary>
    public static bool BeatsBeyondNoise(CompressionResult a, CompressionResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.FileBytes < b.FileBytes
            || a.Accuracy - b.Accuracy > AccuracyNoise(a, b)
            || a.LatencyBatch64.FasterBeyondNoise(b.LatencyBatch64);
    }

    /// <summary>
    /// Half-width of the 95 % interval of the difference of two test accuracies, each a proportion over
    /// <see cref="CompressionResult.TestSamples"/> samples: z·√(p₁(1−p₁)/n + p₂(1−p₂)/n). Treating the two as independent
    /// is conservative: both are measured on the same test samples, which makes their difference less noisy.
    /// </summary>
    public static double AccuracyNoise(CompressionResult a, CompressionResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return AccuracyNoise(a.Accuracy, b.Accuracy, a.TestSamples);
    }

    public static double AccuracyNoise(double p1, double p2, long samples) =>
        samples <= 0 ? double.PositiveInfinity : Z95 * Math.Sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / samples);

    /// <summary>
    /// The row a fine-tuned variant's accuracy is compared with: the "baseline + N epochs" row with the same extra
    /// epochs, so that a pruned model's "gain" is not just the extra training. Null for variants not fine-tuned.
    /// </summary>
    public static CompressionResult? SameBudgetBaseline(CompressionResult r, IReadOnlyList<CompressionResult> all)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(all);
        if (r.FineTuneEpochs == 0 || r.IsFineTunedBaseline) return null;
        return all.FirstOrDefault(o => o.IsFineTunedBaseline && o.FineTuneEpochs == r.FineTuneEpochs);
    }
}
