using System.Globalization;
using ScaleLab.Core.Formatting;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Inference memory and decode-speed ceilings. KV cache per token: 2 (K and V) × layers × kv_heads × head_dim values
/// (Pope et al. 2022, "Efficiently Scaling Transformer Inference", §2). Each decode step reads the weights once for the
/// whole batch and each sequence's cache, so small batches are bandwidth-bound; FLOPs per token are 2 per active parameter
/// (Kaplan et al. 2020, Table 1) plus QKᵀ and AV over the context, 2·L·d_attn each per layer (Kaplan's 2·n_ctx·d_attn is
/// the causal average over a training sequence; a decode step at position L pays the full L).
/// </summary>
public static class ServingPlanner
{
    /// <summary>Most concurrent sequences a serving plan accepts: 2^24, far past any engine's batch, so byte counts stay in range.</summary>
    public const long MaxBatch = 1L << 24;

    public static ServingPlan Plan(ModelCost cost, HardwareProfile hardware, long context, long batch, Precision weights,
        Precision? kvCache = null, int gpus = 1)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(hardware);
        if (context < 1) throw new PlanningException($"--context must be at least 1, got {context}");
        if (batch < 1) throw new PlanningException($"--batch must be at least 1, got {batch}");
        if (batch > MaxBatch) throw new PlanningException($"--batch {batch}: at most {MaxBatch} concurrent sequences are accepted");
        if (gpus < 1) throw new PlanningException($"--gpus must be at least 1, got {gpus}");
        var kv = kvCache ?? DefaultKvPrecision(weights);
        var m = cost.Spec.Transformer;

        long weightBytes = weights.BytesFor(cost.Parameters);
        long kvPerSequence = m is null || m.Kind == TransformerKind.Encoder
            ? 0   // an encoder reads its whole input at once and decodes nothing: no cache
            : MemoryEstimator.KvCacheBytes(m, context, 1, kv);
        long capacity = checked(hardware.MemoryBytes * gpus);
        long? maxBatch = kvPerSequence == 0 ? null : Math.Max(0, (capacity - weightBytes) / kvPerSequence);

        long notRead = EmbeddingRowsNotRead(m);
        double weightsRead = weights.Bits() / 8.0 * ParametersReadPerStep(cost, m, notRead, batch);
        double bytesPerStep = weightsRead + ((double)kvPerSequence * batch);

        double flops = 2.0 * (cost.ActiveParameters - notRead);
        if (m is not null && m.Kind == TransformerKind.Decoder)
            flops += 2.0 * DecodeAttentionMacs(m, context);   // QKᵀ and AV at position L
        var format = MatmulFormat(weights, hardware);
        return new ServingPlan(weights, kv, context, batch, gpus, weightBytes, kvPerSequence, capacity, maxBatch,
            bytesPerStep, flops, format, hardware.MemoryBandwidthBytesPerSecond * gpus, hardware.PeakFor(format) * gpus);
    }

    /// <summary>
    /// QKᵀ and AV MACs of one decode step at position <paramref name="context"/>: per layer H·(qk + v) for each key the
    /// query sees — the whole context for a global layer, at most the window (or chunk) for a local one. MLA counts its
    /// expanded heads (qk = nope + rope, v), as it runs before the projections are absorbed.
    /// </summary>
    public static double DecodeAttentionMacs(TransformerSpec m, long context)
    {
        ArgumentNullException.ThrowIfNull(m);
        double perKey = PerKeyMacs(m);
        double keys = 0;
        for (int layer = 0; layer < m.Layers; layer++)
            keys += m.IsLocalLayer(layer) ? Math.Min(context, m.Local!.Window) : context;
        return perKey * keys;
    }

    /// <summary>
    /// QKᵀ and AV MACs of a prefill of <paramref name="prompt"/> tokens: per layer H·(qk + v) for each (query, key) pair
    /// the mask keeps — P(P+1)/2 for a causal global layer, the band for a sliding window, one triangle per chunk
    /// (<see cref="TransformerAccounting.AttendedPairs"/>), P² for an encoder; MLA counts its expanded heads.
    /// </summary>
    public static double PrefillAttentionMacs(TransformerSpec m, long prompt)
    {
        ArgumentNullException.ThrowIfNull(m);
        double pairs = 0;
        for (int layer = 0; layer < m.Layers; layer++)
            pairs += m.Kind == TransformerKind.Encoder ? (double)prompt * prompt : TransformerAccounting.AttendedPairs(m, layer, prompt);
        return PerKeyMacs(m) * pairs;
    }

    private static double PerKeyMacs(TransformerSpec m) => m.Latent is { } latent
        ? (double)m.Heads * (latent.QkHeadDim + latent.ValueHeadDim)
        : 2.0 * m.Heads * m.EffectiveHeadDim;

    /// <summary>"fits on l4 with 1 GPU: …; up to N sequences" or "does not fit …; needs at least M GPUs".</summary>
    public static string Verdict(ServingPlan plan, HardwareProfile hardware)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(hardware);
        string gpus = Gpus(plan.Gpus);
        string total = HumanUnits.Bytes(plan.TotalBytes), capacity = HumanUnits.Bytes(plan.CapacityBytes);
        string most = plan.MaxBatch is long max
            ? $"at most {max.ToString(CultureInfo.InvariantCulture)} sequence{(max == 1 ? "" : "s")} of {plan.Context.ToString(CultureInfo.InvariantCulture)} tokens fit"
            : "the model keeps no KV cache";
        if (plan.Fits) return $"fits on {hardware.Name} with {gpus}: uses {total} of {capacity}; {most}";
        long needed = (plan.TotalBytes + hardware.MemoryBytes - 1) / hardware.MemoryBytes;
        return $"does not fit on {hardware.Name} with {gpus}: needs {total}, has {capacity}; {most}; needs at least {Gpus(needed)} for batch {plan.Batch.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string Gpus(long n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " GPU" : " GPUs");

    /// <summary>The estimator's rule: the cache keeps the weights' format, except int4 (weight-only, W4A16) keeps fp16.</summary>
    public static Precision DefaultKvPrecision(Precision weights) => MemoryEstimator.ActivationPrecision(weights);

    /// <summary>
    /// fp32/fp16/bf16/fp8/int8 multiply in their own format where the device has it; int4 weights (GPTQ, AWQ) are
    /// dequantized and multiplied in fp16, as are fp8/int8 weights on devices without those units.
    /// </summary>
    public static ComputeFormat MatmulFormat(Precision weights, HardwareProfile hardware)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        ComputeFormat wanted = weights switch
        {
            Precision.Fp32 => ComputeFormat.Fp32,
            Precision.Bf16 => ComputeFormat.Bf16,
            Precision.Fp8 => ComputeFormat.Fp8,
            Precision.Int8 => ComputeFormat.Int8,
            _ => ComputeFormat.Fp16,
        };
        if (hardware.Peak.For(wanted) is not null) return wanted;
        return hardware.Peak.For(ComputeFormat.Fp16) is not null ? ComputeFormat.Fp16 : ComputeFormat.Fp32;
    }

    /// <summary>Untied input embeddings, learned positions and token types are looked up a row at a time, never read whole.</summary>
    internal static long EmbeddingRowsNotRead(TransformerSpec? m)
    {
        if (m is null) return 0;
        long tokenTable = m.TiedEmbeddings && m.LmHead ? 0 : m.VocabSize;   // a tied LM head reads the whole table
        long positions = m.Positions == PositionKind.Learned ? m.MaxPositions : 0;
        return checked((tokenTable + positions + m.TypeVocabSize) * m.DModel);
    }

    /// <summary>
    /// Mixture of experts: per layer E experts of P_e parameters, top-k per token, so total − active = layers·(E−k)·P_e
    /// and all experts together hold (total − active)·E/(E−k). With routing spread evenly, a batch of B tokens touches
    /// each expert with probability 1 − (1 − k/E)^B.
    /// </summary>
    private static double ParametersReadPerStep(ModelCost cost, TransformerSpec? m, long notRead, long batch)
    {
        double total = cost.Parameters - notRead;
        if (m is null || !m.IsMixtureOfExperts || m.TopK >= m.Experts) return total;
        double experts = (double)(cost.Parameters - cost.ActiveParameters) * m.Experts / (m.Experts - m.TopK);
        double touched = 1 - Math.Pow(1 - ((double)m.TopK / m.Experts), batch);
        return total - experts + (experts * touched);
    }
}
