using ScaleLab.Core;
namespace ScaleLab.Torch.Compression;

/// <summary>
/// What to do to a trained model, in the order the pipeline applies it: structured pruning or low-rank factorisation
/// (architecture changes) → distillation (train the student from a teacher) → unstructured pruning → quantization.
/// Every step that changes weights is followed by <see cref="FinetuneEpochs"/> of fine-tuning.
/// </summary>
public sealed record CompressionRequest
{
    /// <summary>Fraction of weights (unstructured) or neurons/filters (structured) to remove; null for none.</summary>
    public double? Prune { get; init; }

    public bool Structured { get; init; }

    public PruningScope Scope { get; init; } = PruningScope.PerLayer;

    /// <summary>Raise sparsity gradually over fine-tuning with Zhu &amp; Gupta's cubic schedule instead of in one shot.</summary>
    public bool Gradual { get; init; }

    /// <summary>
    /// Lottery-ticket rewinding (Frankle &amp; Carbin 2019): keep the masks found on the trained weights, but reset the
    /// surviving weights to their initial values (rebuilt from the run's seed) and retrain them with the masks.
    /// </summary>
    public bool Rewind { get; init; }

    /// <summary>Post-training weight quantization, or null for none.</summary>
    public WeightQuantization? Quantize { get; init; }

    public QuantScheme Int8Scheme { get; init; } = QuantScheme.Int8PerChannelSymmetric;

    public QuantScheme Int4Scheme { get; init; } = QuantScheme.Int4GroupSymmetric;

    public int GroupSize { get; init; } = 64;

    /// <summary>Quantization-aware fine-tuning (fake quantization + straight-through estimator) before the final quantization.</summary>
    public bool QuantizationAware { get; init; }

    /// <summary>
    /// No compression, only <see cref="FinetuneEpochs"/> more training of the baseline: the "baseline + N epochs" row
    /// that fine-tuned variants are compared with, so that extra epochs are not credited to compression.
    /// </summary>
    public bool FineTuneBaseline { get; init; }

    public int? LowRank { get; init; }

    public double? LowRankEnergy { get; init; }

    /// <summary>Set when a teacher is given: the label says so (the pipeline reads the teacher itself).</summary>
    public bool Distill { get; init; }

    public double DistillTemperature { get; init; } = 4.0;

    public double DistillAlpha { get; init; } = 0.7;

    public int FinetuneEpochs { get; init; } = 2;

    public double LearningRate { get; init; } = 1e-3;

    public int BatchSize { get; init; } = 128;

    public int Seed { get; init; }

    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Refuses a request that cannot be run or means nothing, naming the option as `scalelab compress` spells it: one
    /// method's own settings (a pruning fraction in (0, 1), --qat only with --quantize, …), and the settings every
    /// variant shares (epochs, rate, batch, group size, distillation), which also hold under --grid. With
    /// <paramref name="grid"/> the methods come from <see cref="CompressionGrid"/>, so a method given as well is an error
    /// rather than silently ignored. <see cref="CompressionSession.Run"/> checks every request it is given.
    /// </summary>
    public void Validate(bool grid, bool hasTeacher)
    {
        if (FinetuneEpochs < 0) throw Bad($"--finetune-epochs {I(FinetuneEpochs)} must be 0 or more");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw Bad($"--lr {R(LearningRate)} must be a positive number");
        if (BatchSize < 1) throw Bad($"--batch {I(BatchSize)} must be 1 or more");
        if (GroupSize < 1) throw Bad($"--group-size {I(GroupSize)} must be 1 or more");
        if (!(DistillTemperature > 0) || !double.IsFinite(DistillTemperature)) throw Bad($"--temperature {R(DistillTemperature)} must be a positive number");
        if (!(DistillAlpha >= 0 && DistillAlpha <= 1)) throw Bad($"--alpha {R(DistillAlpha)} must be between 0 and 1");
        if (grid)
        {
            string? method = Prune is not null ? "--prune" : Quantize is not null ? "--quantize" : LowRank is not null ? "--low-rank"
                : LowRankEnergy is not null ? "--low-rank-energy" : Structured ? "--structured" : Gradual ? "--gradual" : Rewind ? "--rewind"
                : QuantizationAware ? "--qat" : null;
            if (method is not null) throw Bad($"--grid explores its own methods; drop {method} (or drop --grid to run that one)");
            return;
        }
        if (Prune is null && Quantize is null && LowRank is null && LowRankEnergy is null && !hasTeacher && !FineTuneBaseline)
            throw Bad("nothing to do; give --prune, --quantize, --low-rank, --low-rank-energy, --distill-from or --grid");
        if (Prune is { } p && (p <= 0 || p >= 1)) throw Bad($"--prune {R(p)} must be between 0 and 1 (a fraction, e.g. 0.9)");
        if (Structured && Prune is null) throw Bad("--structured needs --prune RATIO");
        if (Rewind && (Prune is null || Structured || Gradual))
            throw Bad("--rewind needs unstructured one-shot pruning (--prune RATIO, without --structured or --gradual)");
        if (QuantizationAware && Quantize is null) throw Bad("--qat needs --quantize int8|int4");
        if (LowRank is not null && LowRankEnergy is not null) throw Bad("give --low-rank or --low-rank-energy, not both");
        if (LowRank is < 1) throw Bad($"--low-rank {I(LowRank.Value)} must be 1 or more");
        if (LowRankEnergy is { } e && !(e > 0 && e <= 1)) throw Bad($"--low-rank-energy {R(e)} must be in (0, 1]");
    }

    private static ScaleLabException Bad(string problem) => new("compress: " + problem);

    private static string I(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string R(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Exactly what the file stores: "int8 per-channel symmetric", "int4 group 64 symmetric"; pruned + int8 stores the
    /// kept values with one symmetric scale per tensor (TensorEncoding.SparseInt8), whatever the int8 scheme says.
    /// </summary>
    public string? StoredQuantization => Quantize is { } q ? QuantizationLabel(q) : null;

    private string QuantizationLabel(WeightQuantization q)
    {
        if (q == WeightQuantization.Int4)
            return "int4 group " + GroupSize.ToString(System.Globalization.CultureInfo.InvariantCulture) + (QuantSchemeInfo.IsSymmetric(Int4Scheme) ? " symmetric" : " asymmetric");
        var scheme = Prune is not null && !Structured ? QuantScheme.Int8PerTensorSymmetric : Int8Scheme;
        return "int8 " + (QuantSchemeInfo.IsPerTensor(scheme) ? "per-tensor" : "per-channel") + (QuantSchemeInfo.IsSymmetric(scheme) ? " symmetric" : " asymmetric");
    }

    /// <summary>A short label for tables and plots, e.g. "prune 90% + int8".</summary>
    public string Label
    {
        get
        {
            var parts = new List<string>();
            if (Distill) parts.Add("distilled T=" + DistillTemperature.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (Prune is { } p) parts.Add((Structured ? "structured " : Rewind ? "ticket " : Gradual ? "gradual " : "prune ") + (p * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "%");
            if (LowRank is { } r) parts.Add("low-rank r=" + r.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (LowRankEnergy is { } e) parts.Add("low-rank " + (e * 100).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "% energy");
            if (Quantize is { } q) parts.Add((QuantizationAware ? "QAT " : "") + QuantizationLabel(q));
            if (FineTuneBaseline) return "baseline + " + FinetuneEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture) + " epochs";
            return parts.Count == 0 ? "fp32 (baseline)" : string.Join(" + ", parts);
        }
    }
}
