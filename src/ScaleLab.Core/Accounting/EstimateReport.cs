using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting;

/// <summary>What `scalelab estimate` is asked: batch, tokens per sample, precision and optimizer.</summary>
/// <param name="Batch">Samples (sequences) per step; null picks 32 for layer stacks and 1 for transformers.</param>
/// <param name="SequenceLength">Tokens per sample of a sequence model; null keeps the spec's own.</param>
/// <param name="FineTune">LoRA or QLoRA adapters (--finetune): they change the parameter counts only; the memory figures stay full training's (`scalelab plan --finetune` plans adapter memory).</param>
public sealed record EstimateOptions(
    long? Batch = null,
    long? SequenceLength = null,
    Precision Precision = Precision.Fp32,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    bool MixedPrecision = false,
    FineTuneSetup? FineTune = null);

/// <summary>
/// Everything `scalelab estimate` reports, as raw numbers: parameters, compute, training and inference memory and
/// disk size, all derived from one <see cref="ModelCost"/>. Formatting (tables, JSON) lives elsewhere.
/// </summary>
public sealed record EstimateReport(
    ModelCost Cost,
    long Batch,
    EstimateOptions Options,
    TrainingMemory Training,
    InferenceMemory Inference,
    IReadOnlyDictionary<Precision, long> DiskBytes)
{
    public ModelSpec Spec => Cost.Spec;

    /// <summary>One training step's predicted time on a calibrated machine (`--time`); null when not asked.</summary>
    public Autograd.StepTimePrediction? Time { get; init; }

    /// <summary>"layer stack", "decoder" or "encoder".</summary>
    public string Kind => Spec.Transformer switch
    {
        null => "layer stack",
        { Kind: TransformerKind.Encoder } => "encoder",
        _ => "decoder",
    };

    /// <summary>Causal attention applies to decoders and to layer stacks with a causal attention layer.</summary>
    public bool HasCausalAttention => Spec.Transformer is { Kind: TransformerKind.Decoder } || HasCausalLayer(Spec.Layers);

    /// <summary>
    /// The 6·N·D shortcut for training FLOPs per sample (Kaplan et al. 2020, §2.1): N the parameters a token uses
    /// (active, for mixture-of-experts), D the tokens in one sample; it leaves out attention's S² terms.
    /// </summary>
    public long SixNd => checked(6 * Cost.ActiveParameters * Cost.SequenceLength);

    public long TrainingFlopsPerStep => checked(Cost.TrainingFlops * Batch);

    /// <summary>A decoder's KV cache for one sequence of the report's context, by kind of layer; null for other models.</summary>
    public KvCacheEstimate? KvCache => Spec.Transformer is { Kind: TransformerKind.Decoder } t ? Accounting.KvCache.For(t, Cost.SequenceLength) : null;

    /// <summary>Multi-token-prediction modules stored beside the model (DeepSeek-V3), reported apart from its parameters.</summary>
    public long PredictionLayerParameters => TransformerAccounting.PredictionLayerParameters(Spec);

    /// <summary>The precision of the inference KV cache and activations (fp16 under int4 weight-only serving).</summary>
    public Precision InferenceActivationPrecision => MemoryEstimator.ActivationPrecision(InferencePrecision);

    /// <summary>LoRA/QLoRA adapters added to the model; null without --finetune lora|qlora.</summary>
    public LoraAdapterCount? Adapters => Options.FineTune is { } ft && ft.Method.UsesAdapters() && Spec.Transformer is { } t
        ? LoraAdapters.Count(t, ft.Lora)
        : null;

    /// <summary>Base and adapters (PEFT's "all params").</summary>
    public long TotalParameters => checked(Cost.Parameters + (Adapters?.Parameters ?? 0));

    /// <summary>What receives gradients: the adapters alone when fine-tuning with LoRA, else every trainable parameter.</summary>
    public long TrainableParameters => Adapters?.Parameters ?? Cost.TrainableParameters;

    /// <summary>Parameters used per token: the base's active ones plus the adapters that run (top-k experts' for MoE).</summary>
    public long ActiveParameters => checked(Cost.ActiveParameters
        + (Adapters?.Rows.Sum(r => r.PerCopy * r.Matrix.ActiveCopies * r.Layers) ?? 0));

    /// <summary>Active parameters without the lookup tables (<see cref="ModelCost.EmbeddingParameters"/>): gpt-oss's and DeepSeek's convention.</summary>
    public long ActiveParametersWithoutEmbedding => ActiveParameters - Cost.EmbeddingParameters;

    public static EstimateReport Create(ModelSpec spec, EstimateOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.FineTune is { } ft && ft.Method.UsesAdapters() && spec.Transformer is null)
            throw new FineTuneException($"--finetune {ft.Method.Name()} is modelled for transformer specs only; {spec.Name} is a layer stack");
        options.FineTune?.Lora.Validated();
        var cost = ModelAccounting.Account(spec, options.SequenceLength);
        long batch = options.Batch ?? (spec.Transformer is null ? 32 : 1);
        if (batch > MaxBatch)
            throw new ScaleLabException($"--batch {batch.ToString(System.Globalization.CultureInfo.InvariantCulture)}: at most {MaxBatch.ToString(System.Globalization.CultureInfo.InvariantCulture)} samples per step are accepted");
        try
        {
            return Create(spec, options, cost, batch);
        }
        catch (OverflowException)
        {
            throw new ScaleLabException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"--batch {batch} with {cost.SequenceLength} tokens per sample makes {spec.Name}'s memory or FLOP figures exceed 64 bits; use a smaller --batch or --seq"));
        }
    }

    /// <summary>Most samples per step an estimate accepts: 2^30, far past any real batch, so byte counts stay in range.</summary>
    public const long MaxBatch = 1L << 30;

    private static EstimateReport Create(ModelSpec spec, EstimateOptions options, ModelCost cost, long batch)
    {
        var training = MemoryEstimator.Training(cost, new TrainingMemoryOptions(options.Precision, options.Optimizer, options.MixedPrecision, batch));
        var inference = MemoryEstimator.Inference(cost, new InferenceMemoryOptions(ServePrecision(options), batch, cost.SequenceLength));
        var disk = PrecisionInfo.All.ToDictionary(p => p, p => MemoryEstimator.DiskBytes(cost, p));
        return new EstimateReport(cost, batch, options, training, inference, disk);
    }

    /// <summary>The precision the inference figures use: the training compute precision (bf16 under mixed precision from fp32).</summary>
    public Precision InferencePrecision => ServePrecision(Options);

    private static Precision ServePrecision(EstimateOptions o) =>
        MemoryEstimator.ComputePrecision(new TrainingMemoryOptions(o.Precision, o.Optimizer, o.MixedPrecision));

    private static bool HasCausalLayer(IEnumerable<LayerSpec> layers) => layers.Any(l => l switch
    {
        AttentionLayer a => a.Causal,
        ResidualLayer r => HasCausalLayer(r.Body) || HasCausalLayer(r.Projection ?? []),
        _ => false,
    });
}
