using System.Text.Json.Serialization;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Accounting;

/// <summary>
/// The stable JSON form of an <see cref="EstimateReport"/> (`scalelab estimate --json`), documented field by field in
/// docs/schemas/estimate.schema.json. Raw integers only (counts, FLOPs, bytes); fields are added, never renamed.
/// </summary>
public static class EstimateReportJson
{
    public const string SchemaId = "scalelab.estimate/1";

    /// <summary>`estimate --all --json`: {"schema": "scalelab.estimates/1", "estimates": [one estimate document per preset]} (docs/schemas/estimates.schema.json).</summary>
    public const string AllSchemaId = "scalelab.estimates/1";

    public static string WriteAll(IReadOnlyList<EstimateReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        return ScaleLabJson.Write(new EstimatesDocument(AllSchemaId, [.. reports.Select(EstimateDocument.From)]));
    }

    public static string Write(EstimateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return ScaleLabJson.Write(EstimateDocument.From(report));
    }
}

public sealed record EstimatesDocument(string Schema, IReadOnlyList<EstimateDocument> Estimates);

/// <summary>One estimate as `estimate --json` prints it; <see cref="From"/> is the whole mapping from the report.</summary>
public sealed record EstimateDocument(
    string Schema,
    EstimateModel Model,
    EstimateSettings Settings,
    EstimateParameters Parameters,
    EstimateFlops Flops,
    EstimateMemory Memory,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EstimateKvCache? KvCache,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Mxfp4ExpertsDisk? Mxfp4ExpertsDisk,
    IReadOnlyDictionary<string, long> DiskBytes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EstimateTime? Time)
{
    public static EstimateDocument From(EstimateReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var c = r.Cost;
        var t = r.Training;
        var i = r.Inference;
        // Encoders attend both ways: their "causal" figures are the full ones, so nobody reads half of BERT's attention.
        long causalAttention = r.HasCausalAttention ? c.CausalAttentionMacs : c.AttentionMacs;
        long causalForward = r.HasCausalAttention ? c.ForwardMacsCausal : c.ForwardMacs;
        var ft = r.Options.FineTune;
        return new EstimateDocument(
            EstimateReportJson.SchemaId,
            new EstimateModel(r.Spec.Name, r.Spec.Source, r.Kind),
            new EstimateSettings(r.Batch, c.SequenceLength, r.Options.Precision.Name(), r.Options.Optimizer.Name(), r.Options.MixedPrecision,
                r.InferencePrecision.Name(), ft?.Method.Name() ?? "none",
                ft is { } f && f.Method.UsesAdapters() ? new EstimateLora(f.Lora.Rank, f.Lora.EffectiveAlpha, f.Lora.Targets.Name(), f.Lora.Dropout) : null),
            new EstimateParameters(r.TotalParameters, r.TrainableParameters, r.TotalParameters - r.TrainableParameters, r.ActiveParameters,
                r.ActiveParametersWithoutEmbedding, c.EmbeddingParameters, c.Buffers, r.PredictionLayerParameters),
            new EstimateFlops("1 MAC = 2 FLOPs; per sample of sequence_length tokens", c.ForwardMacs, c.ForwardFlops, checked(2 * causalForward),
                checked(2 * c.AttentionMacs), checked(2 * causalAttention), c.FlopsPerToken, c.TrainingFlops, r.TrainingFlopsPerStep, r.SixNd),
            new EstimateMemory(
                new EstimateTrainingBytes(t.WeightBytes, t.GradientBytes, t.OptimizerStateBytes, t.MasterWeightBytes, t.ActivationBytes, t.BufferBytes, t.TotalBytes),
                new EstimateInferenceBytes(i.WeightBytes, i.KvCacheBytes, i.ActivationBytes, i.TotalBytes)),
            EstimateKvCache.From(r),
            MemoryEstimator.Mxfp4ExpertsDiskBytes(c) is { } mxfp4 ? new Mxfp4ExpertsDisk(mxfp4.ExpertWeights, mxfp4.Bytes) : null,
            r.DiskBytes.ToDictionary(d => d.Key.Name(), d => d.Value, StringComparer.Ordinal),
            r.Time is { } time ? EstimateTime.From(time) : null);
    }
}

/// <summary>`--time`: one fp32 training step's predicted seconds on the profiled machine, by part (as verify's predicted_parts).</summary>
public sealed record EstimateTime(string Profile, string Device, int Threads, string Machine, double PredictedSecondsPerStep,
    double ForwardSeconds, double BackwardSeconds, double OptimizerSeconds, double DispatchSeconds)
{
    public static EstimateTime From(Autograd.StepTimePrediction p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var e = p.Estimate;
        return new EstimateTime(p.Profile, p.Device, p.Threads, p.Machine, e.Seconds, e.ForwardSeconds, e.BackwardSeconds, e.OptimizerSeconds, e.DispatchSeconds);
    }
}

public sealed record EstimateModel(string Name, string Source, string Kind);

public sealed record EstimateSettings(long Batch, long SequenceLength, string Precision, string Optimizer, bool MixedPrecision,
    string InferencePrecision, string Finetune, EstimateLora? Lora);

public sealed record EstimateLora(int Rank, double Alpha, string Targets, double Dropout);

public sealed record EstimateParameters(long Total, long Trainable, long NonTrainable, long Active, long ActiveWithoutEmbedding,
    long Embedding, long Buffers, long PredictionLayers);

public sealed record EstimateFlops(string Convention, long ForwardMacs, long Forward, long ForwardCausal, long Attention, long AttentionCausal,
    long PerToken, long Training, long TrainingPerStep, [property: JsonPropertyName("six_n_d")] long SixND);

public sealed record EstimateMemory(EstimateTrainingBytes TrainingBytes, EstimateInferenceBytes InferenceBytes);

public sealed record EstimateTrainingBytes(long Weights, long Gradients, long Optimizer, long MasterWeights, long Activations, long Buffers, long Total);

public sealed record EstimateInferenceBytes(long Weights, long KvCache, long Activations, long Total);

public sealed record Mxfp4ExpertsDisk(long ExpertWeights, long Bytes);

/// <summary>The decoder's KV cache at the estimate's context, by kind of layer, at the inference activation precision.</summary>
public sealed record EstimateKvCache(long Context, string Precision, long ElementsPerSequence, long BytesPerSequence, IReadOnlyList<KvCacheGroupBytes> Groups)
{
    public static EstimateKvCache? From(EstimateReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.KvCache is not { } kv) return null;
        var precision = r.InferenceActivationPrecision;
        return new EstimateKvCache(kv.Context, precision.Name(), kv.ElementsPerSequence, precision.BytesFor(kv.ElementsPerSequence),
            [.. kv.Groups.Select(g => new KvCacheGroupBytes(g.Kind, g.Layers, g.ElementsPerToken, g.CachedTokens, precision.BytesFor(g.Elements)))]);
    }
}

/// <summary>One kind of layer's share of a KV cache (global, sliding window, chunked, latent).</summary>
public sealed record KvCacheGroupBytes(string Kind, int Layers, long ElementsPerToken, long CachedTokens, long Bytes);
