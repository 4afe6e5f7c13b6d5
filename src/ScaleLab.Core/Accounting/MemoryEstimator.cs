using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting;

/// <summary>
/// Bytes for training, inference and disk, from a <see cref="ModelCost"/>. Every figure follows the chosen precision.
/// Sources: model states as in ZeRO (Rajbhandari et al. 2020, §3.1: mixed-precision Adam = 2 + 2 + 12 bytes per
/// parameter); 8-bit Adam state (Dettmers et al. 2022, "8-bit Optimizers via Block-wise Quantization"); KV cache as in
/// Pope et al. 2022 ("Efficiently Scaling Transformer Inference", §2.1). docs/estimate.md states each rule.
/// </summary>
public static class MemoryEstimator
{
    public static TrainingMemory Training(ModelCost cost, TrainingMemoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Batch < 1) throw new ScaleLabException($"batch {options.Batch}: it must be at least 1");
        long n = cost.TrainableParameters;
        var compute = ComputePrecision(options);
        long weights = compute.BytesFor(cost.Parameters);
        long gradients = compute.BytesFor(n);
        // Mixed precision keeps an fp32 copy the optimizer updates; the 16-bit weights are re-cast from it each step.
        long master = options.MixedPrecision ? Precision.Fp32.BytesFor(n) : 0;
        var statePrecision = options.MixedPrecision ? Precision.Fp32 : options.Precision;
        long optimizer = OptimizerStateBytes(n, options.Optimizer, statePrecision);
        long activations = compute.BytesFor(checked(cost.ActivationElements * options.Batch));
        // AMP leaves batch-norm running statistics in fp32; a model cast to 16 bits casts them too.
        long buffers = (options.MixedPrecision ? Precision.Fp32 : options.Precision).BytesFor(cost.Buffers);
        long total = checked(weights + gradients + optimizer + master + activations + buffers);
        return new TrainingMemory(weights, gradients, optimizer, master, activations, buffers, total);
    }

    /// <summary>
    /// Optimizer state for <paramref name="parameters"/> trainable parameters: SGD none; SGD with momentum one
    /// buffer; Adam/AdamW two moments (Kingma &amp; Ba 2015); 8-bit Adam two 1-byte moments whatever the precision
    /// (Dettmers et al. 2022; their per-2048-block fp32 absmax, under 0.4 %, is not counted); RMSprop one square
    /// average per parameter, plus a momentum buffer with momentum (torch.optim.RMSprop: state square_avg, and
    /// momentum_buffer when momentum &gt; 0).
    /// </summary>
    public static long OptimizerStateBytes(long parameters, OptimizerKind optimizer, Precision statePrecision) => optimizer switch
    {
        OptimizerKind.Sgd => 0,
        OptimizerKind.SgdMomentum or OptimizerKind.RmsProp => statePrecision.BytesFor(parameters),
        OptimizerKind.Adam or OptimizerKind.AdamW or OptimizerKind.RmsPropMomentum => checked(2 * statePrecision.BytesFor(parameters)),
        OptimizerKind.Adam8Bit => checked(2 * parameters),
        _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, null),
    };

    /// <summary>
    /// Serving: weights (and buffers) at the precision, the KV cache for decoders, and the peak live activations —
    /// the largest input + output pair of any one layer, nothing kept for backward.
    /// </summary>
    public static InferenceMemory Inference(ModelCost cost, InferenceMemoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Batch < 1) throw new ScaleLabException($"batch {options.Batch}: it must be at least 1");
        long weights = options.Precision.BytesFor(checked(cost.Parameters + cost.Buffers));
        var activationPrecision = ActivationPrecision(options.Precision);
        long context = options.Context ?? cost.SequenceLength;
        long kv = cost.Spec.Transformer is { Kind: TransformerKind.Decoder } t
            ? KvCacheBytes(t, context, options.Batch, activationPrecision)
            : 0;
        long activations = activationPrecision.BytesFor(checked(PeakLiveElements(cost) * options.Batch));
        return new InferenceMemory(weights, kv, activations, checked(weights + kv + activations));
    }

    /// <summary>
    /// The KV cache of <paramref name="batch"/> sequences of <paramref name="context"/> tokens, every layer by its kind
    /// (<see cref="KvCache"/>: K and V of kv_heads·head_dim for ordinary attention, the latent for MLA, at most the
    /// window for sliding-window layers).
    /// </summary>
    public static long KvCacheBytes(TransformerSpec t, long context, long batch, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(t);
        return precision.BytesFor(checked(KvCache.For(t, context).ElementsPerSequence * batch));
    }

    /// <summary>
    /// A mixture of experts stored the way gpt-oss is published: the routed experts' weight matrices in MXFP4 (OCP
    /// Microscaling v1.0: blocks of 32 four-bit values sharing one 8-bit e8m0 scale, 17 bytes per 32 weights, 4.25 bits
    /// each), every other tensor — attention, router, expert biases, embeddings, norms — in bf16. Null for dense models.
    /// gpt-oss-20b: 19,110,297,600 expert weights → 10.15 GB, the rest 3.61 GB: 13.76 GB, the size of its checkpoint.
    /// </summary>
    public static Mxfp4ExpertStorage? Mxfp4ExpertsDiskBytes(ModelCost cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        if (cost.Spec.Transformer is not { IsMixtureOfExperts: true } t) return null;
        int moeLayers = Enumerable.Range(0, t.Layers).Count(t.IsMoeLayer);
        int matrices = t.FeedForward == FeedForwardKind.Plain ? 2 : 3;
        long expertWeights = checked((long)moeLayers * t.Experts * matrices * t.DModel * t.EffectiveExpertFfnSize);
        long packed = checked((expertWeights + 31) / 32 * 17);
        long rest = Precision.Bf16.BytesFor(checked(cost.Parameters + cost.Buffers - expertWeights));
        return new Mxfp4ExpertStorage(expertWeights, checked(packed + rest));
    }

    /// <summary>Weights and buffers at the precision; file headers and quantization scales are not counted.</summary>
    public static long DiskBytes(ModelCost cost, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(cost);
        return precision.BytesFor(checked(cost.Parameters + cost.Buffers));
    }

    /// <summary>Weights, gradients and activations live at this precision: the option's, or bf16 under mixed precision from fp32.</summary>
    public static Precision ComputePrecision(TrainingMemoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.MixedPrecision) return options.Precision;
        return options.Precision == Precision.Fp32 ? Precision.Bf16 : options.Precision;
    }

    /// <summary>Int4 serving is weight-only (W4A16, as GPTQ/AWQ kernels run): activations and KV stay fp16. Others: as the weights.</summary>
    public static Precision ActivationPrecision(Precision weights) => weights == Precision.Int4 ? Precision.Fp16 : weights;

    /// <summary>The most elements alive at once in a forward pass without autograd: one layer's input plus its output.</summary>
    private static long PeakLiveElements(ModelCost cost)
    {
        long previous = cost.Spec.Input?.Elements ?? 0;
        long peak = previous;
        foreach (var row in cost.Layers)
        {
            if (row.IsContainer) continue;
            long output = row.OutputShape.Elements;
            peak = Math.Max(peak, checked(previous + output));
            previous = output;
        }
        return peak;
    }
}
