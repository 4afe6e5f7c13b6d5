namespace ScaleLab.Torch.Compression;

/// <summary>
/// The combinations `scalelab compress --grid` explores: each method alone at a few strengths, and the classic pairing
/// of pruning with quantization (Han et al. 2016, Deep Compression); with fine-tuning, first the "baseline + N epochs"
/// row that fine-tuned variants are compared with.
/// </summary>
public static class CompressionGrid
{
    public static IReadOnlyList<CompressionRequest> Default(CompressionRequest shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        var baseline = shared with
        {
            Prune = null, Structured = false, Quantize = null, LowRank = null, LowRankEnergy = null, QuantizationAware = false, Gradual = false,
        };
        var grid = new List<CompressionRequest>
        {
            baseline with { Prune = 0.5 },
            baseline with { Prune = 0.8 },
            baseline with { Prune = 0.9 },
            baseline with { Quantize = WeightQuantization.Int8 },
            baseline with { Quantize = WeightQuantization.Int4, GroupSize = 64 },
            baseline with { Prune = 0.9, Quantize = WeightQuantization.Int8 },
            baseline with { Prune = 0.5, Structured = true },
            baseline with { LowRankEnergy = 0.9 },
        };
        // Pruned, structured and low-rank variants are fine-tuned; the same epochs of plain training are their reference.
        if (shared.FinetuneEpochs > 0) grid.Insert(0, baseline with { FineTuneBaseline = true });
        return grid;
    }
}
