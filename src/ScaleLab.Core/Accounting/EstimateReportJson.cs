using ScaleLab.Core.FineTuning;
using System.Text;
using System.Text.Json;

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
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", AllSchemaId);
            w.WriteStartArray("estimates");
            foreach (var report in reports)
            {
                using var one = JsonDocument.Parse(Write(report));
                one.RootElement.WriteTo(w);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Write(EstimateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", SchemaId);
            WriteModel(w, report);
            WriteSettings(w, report);
            WriteParameters(w, report);
            WriteFlops(w, report);
            WriteMemory(w, report);
            WriteKvCache(w, report);
            if (MemoryEstimator.Mxfp4ExpertsDiskBytes(report.Cost) is { } mxfp4)
            {
                w.WriteStartObject("mxfp4_experts_disk");
                w.WriteNumber("expert_weights", mxfp4.ExpertWeights);
                w.WriteNumber("bytes", mxfp4.Bytes);
                w.WriteEndObject();
            }
            w.WriteStartObject("disk_bytes");
            foreach (var (precision, bytes) in report.DiskBytes) w.WriteNumber(precision.Name(), bytes);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteModel(Utf8JsonWriter w, EstimateReport r)
    {
        w.WriteStartObject("model");
        w.WriteString("name", r.Spec.Name);
        w.WriteString("source", r.Spec.Source);
        w.WriteString("kind", r.Kind);
        w.WriteEndObject();
    }

    private static void WriteSettings(Utf8JsonWriter w, EstimateReport r)
    {
        w.WriteStartObject("settings");
        w.WriteNumber("batch", r.Batch);
        w.WriteNumber("sequence_length", r.Cost.SequenceLength);
        w.WriteString("precision", r.Options.Precision.Name());
        w.WriteString("optimizer", r.Options.Optimizer.Name());
        w.WriteBoolean("mixed_precision", r.Options.MixedPrecision);
        w.WriteString("inference_precision", r.InferencePrecision.Name());
        var ft = r.Options.FineTune;
        w.WriteString("finetune", ft?.Method.Name() ?? "none");
        if (ft is { } f && f.Method.UsesAdapters())
        {
            w.WriteStartObject("lora");
            w.WriteNumber("rank", f.Lora.Rank);
            w.WriteNumber("alpha", f.Lora.EffectiveAlpha);
            w.WriteString("targets", f.Lora.Targets.Name());
            w.WriteNumber("dropout", f.Lora.Dropout);
            w.WriteEndObject();
        }
        else w.WriteNull("lora");
        w.WriteEndObject();
    }

    private static void WriteParameters(Utf8JsonWriter w, EstimateReport r)
    {
        var c = r.Cost;
        w.WriteStartObject("parameters");
        w.WriteNumber("total", r.TotalParameters);
        w.WriteNumber("trainable", r.TrainableParameters);
        w.WriteNumber("non_trainable", r.TotalParameters - r.TrainableParameters);
        w.WriteNumber("active", r.ActiveParameters);
        w.WriteNumber("active_without_embedding", r.ActiveParametersWithoutEmbedding);
        w.WriteNumber("embedding", c.EmbeddingParameters);
        w.WriteNumber("buffers", c.Buffers);
        w.WriteNumber("prediction_layers", r.PredictionLayerParameters);
        w.WriteEndObject();
    }

    private static void WriteFlops(Utf8JsonWriter w, EstimateReport r)
    {
        var c = r.Cost;
        // Encoders attend both ways: their "causal" figures are the full ones, so nobody reads half of BERT's attention.
        long causalAttention = r.HasCausalAttention ? c.CausalAttentionMacs : c.AttentionMacs;
        long causalForward = r.HasCausalAttention ? c.ForwardMacsCausal : c.ForwardMacs;
        w.WriteStartObject("flops");
        w.WriteString("convention", "1 MAC = 2 FLOPs; per sample of sequence_length tokens");
        w.WriteNumber("forward_macs", c.ForwardMacs);
        w.WriteNumber("forward", c.ForwardFlops);
        w.WriteNumber("forward_causal", checked(2 * causalForward));
        w.WriteNumber("attention", checked(2 * c.AttentionMacs));
        w.WriteNumber("attention_causal", checked(2 * causalAttention));
        w.WriteNumber("per_token", c.FlopsPerToken);
        w.WriteNumber("training", c.TrainingFlops);
        w.WriteNumber("training_per_step", r.TrainingFlopsPerStep);
        w.WriteNumber("six_n_d", r.SixNd);
        w.WriteEndObject();
    }

    private static void WriteMemory(Utf8JsonWriter w, EstimateReport r)
    {
        var t = r.Training;
        var i = r.Inference;
        w.WriteStartObject("memory");
        w.WriteStartObject("training_bytes");
        w.WriteNumber("weights", t.WeightBytes);
        w.WriteNumber("gradients", t.GradientBytes);
        w.WriteNumber("optimizer", t.OptimizerStateBytes);
        w.WriteNumber("master_weights", t.MasterWeightBytes);
        w.WriteNumber("activations", t.ActivationBytes);
        w.WriteNumber("buffers", t.BufferBytes);
        w.WriteNumber("total", t.TotalBytes);
        w.WriteEndObject();
        w.WriteStartObject("inference_bytes");
        w.WriteNumber("weights", i.WeightBytes);
        w.WriteNumber("kv_cache", i.KvCacheBytes);
        w.WriteNumber("activations", i.ActivationBytes);
        w.WriteNumber("total", i.TotalBytes);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteKvCache(Utf8JsonWriter w, EstimateReport r)
    {
        if (r.KvCache is not { } kv) return;
        var precision = r.InferenceActivationPrecision;
        w.WriteStartObject("kv_cache");
        w.WriteNumber("context", kv.Context);
        w.WriteString("precision", precision.Name());
        w.WriteNumber("elements_per_sequence", kv.ElementsPerSequence);
        w.WriteNumber("bytes_per_sequence", precision.BytesFor(kv.ElementsPerSequence));
        w.WriteStartArray("groups");
        foreach (var g in kv.Groups)
        {
            w.WriteStartObject();
            w.WriteString("kind", g.Kind);
            w.WriteNumber("layers", g.Layers);
            w.WriteNumber("elements_per_token", g.ElementsPerToken);
            w.WriteNumber("cached_tokens", g.CachedTokens);
            w.WriteNumber("bytes", precision.BytesFor(g.Elements));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
