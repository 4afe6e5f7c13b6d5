using ScaleLab.Core.Runs;
using System.Globalization;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// The decision of <see cref="EarlyStoppingOptions"/>, as a pure function of the epoch curves seen so far, so it is
/// tested without processes. A trial's figure at epoch e is its best validation loss over epochs 1..e; only trials
/// whose curve reaches e are compared at e.
/// </summary>
public static class EarlyStoppingPolicy
{
    /// <summary>The reason to stop <paramref name="trialId"/> after <paramref name="epoch"/>, or null to let it run on.</summary>
    public static string? Decide(
        EarlyStoppingOptions options,
        string trialId,
        int epoch,
        IReadOnlyDictionary<string, IReadOnlyList<EpochMetrics>> curves,
        IReadOnlySet<string> finished)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(curves);
        ArgumentNullException.ThrowIfNull(finished);
        if (!curves.TryGetValue(trialId, out var own) || BestUpTo(own, epoch) is not double mine) return null;
        return options.Rule == EarlyStoppingRule.Median
            ? Median(options, trialId, epoch, mine, curves, finished)
            : Halving(options, epoch, mine, curves);
    }

    /// <summary>Best validation loss over epochs 1..<paramref name="epoch"/>; null when the curve does not reach that epoch or has no validation loss.</summary>
    public static double? BestUpTo(IReadOnlyList<EpochMetrics> curve, int epoch)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (!curve.Any(e => e.Epoch >= epoch)) return null;
        var losses = curve.Where(e => e.Epoch <= epoch && e.ValLoss is not null).Select(e => e.ValLoss!.Value).ToList();
        return losses.Count == 0 ? null : losses.Min();
    }

    private static string? Median(EarlyStoppingOptions o, string trialId, int epoch, double mine,
        IReadOnlyDictionary<string, IReadOnlyList<EpochMetrics>> curves, IReadOnlySet<string> finished)
    {
        if (epoch < o.WarmupEpochs) return null;
        var others = curves
            .Where(c => c.Key != trialId && finished.Contains(c.Key))
            .Select(c => BestUpTo(c.Value, epoch))
            .OfType<double>()
            .Order()
            .ToList();
        if (others.Count < o.MinTrials) return null;
        double median = others.Count % 2 == 1 ? others[others.Count / 2] : (others[(others.Count / 2) - 1] + others[others.Count / 2]) / 2;
        if (mine <= median) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"median rule: best val loss {mine:G4} by epoch {epoch} is worse than the median {median:G4} of {others.Count} finished trials");
    }

    private static string? Halving(EarlyStoppingOptions o, int epoch, double mine, IReadOnlyDictionary<string, IReadOnlyList<EpochMetrics>> curves)
    {
        if (!IsRung(o, epoch)) return null;
        var reached = curves.Values.Select(c => BestUpTo(c, epoch)).OfType<double>().Order().ToList();
        // Optuna's SuccessiveHalvingPruner: promote when within the best ⌊n/η⌋ (at least the best one).
        int cut = Math.Max(0, (reached.Count / o.ReductionFactor) - 1);
        if (mine <= reached[cut]) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"successive halving: best val loss {mine:G4} at rung epoch {epoch} is not in the top 1/{o.ReductionFactor} of the {reached.Count} trials that reached it (cut {reached[cut]:G4})");
    }

    /// <summary>Rungs are at MinEpochs · ReductionFactor^k epochs (k = 0, 1, …).</summary>
    public static bool IsRung(EarlyStoppingOptions options, int epoch)
    {
        ArgumentNullException.ThrowIfNull(options);
        for (long rung = options.MinEpochs; rung <= epoch; rung *= options.ReductionFactor)
            if (rung == epoch) return true;
        return false;
    }
}
