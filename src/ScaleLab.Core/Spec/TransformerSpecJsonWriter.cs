using System.Text.Json;

namespace ScaleLab.Core.Spec;

/// <summary>
/// Writes a <see cref="TransformerSpec"/> as the "transformer" object of SPEC_FORMAT.md, every field explicit,
/// so a spec imported from a Hugging Face config can be saved and read back as the same model.
/// </summary>
public static class TransformerSpecJsonWriter
{
    public static void Write(Utf8JsonWriter w, TransformerSpec t)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(t);
        w.WriteStartObject();
        w.WriteString("kind", t.Kind == TransformerKind.Encoder ? "encoder" : "decoder");
        w.WriteNumber("vocab_size", t.VocabSize);
        w.WriteNumber("d_model", t.DModel);
        w.WriteNumber("layers", t.Layers);
        w.WriteNumber("heads", t.Heads);
        if (t.KvHeads is { } kv) w.WriteNumber("kv_heads", kv);
        if (t.HeadDim is { } hd) w.WriteNumber("head_dim", hd);
        w.WriteNumber("ffn_size", t.FfnSize);
        w.WriteString("ffn", t.FeedForward switch
        {
            FeedForwardKind.SwiGlu => "swiglu",
            FeedForwardKind.GeGlu => "geglu",
            _ => "plain",
        });
        w.WriteString("activation", new ActivationLayer(t.Activation).Type);
        w.WriteString("norm", t.Norm == NormKind.RmsNorm ? "rmsnorm" : "layernorm");
        w.WriteBoolean("norm_bias", t.NormBias);
        w.WriteNumber("norm_eps", t.NormEpsilon);
        w.WriteString("positions", t.Positions switch
        {
            PositionKind.Rotary => "rotary",
            PositionKind.None => "none",
            _ => "learned",
        });
        w.WriteNumber("max_positions", t.MaxPositions);
        w.WriteNumber("rope_theta", t.RopeTheta);
        w.WriteBoolean("tied_embeddings", t.TiedEmbeddings);
        w.WriteString("bias", t.Bias switch
        {
            BiasKind.None => "none",
            BiasKind.QkvOnly => "qkv",
            _ => "all",
        });
        if (t.FfnBias is { } ffnBias) w.WriteBoolean("ffn_bias", ffnBias);
        w.WriteNumber("experts", t.Experts);
        w.WriteNumber("top_k", t.TopK);
        w.WriteNumber("type_vocab_size", t.TypeVocabSize);
        w.WriteBoolean("pooler", t.Pooler);
        w.WriteBoolean("embedding_norm", t.EmbeddingNorm);
        w.WriteBoolean("final_norm", t.FinalNorm);
        w.WriteString("norm_placement", t.Placement switch
        {
            NormPlacement.Post => "post",
            NormPlacement.Sandwich => "sandwich",
            NormPlacement.PostSublayer => "post_sublayer",
            _ => "pre",
        });
        w.WriteBoolean("lm_head", t.LmHead);
        if (t.QkNorm != QkNormKind.None) w.WriteString("qk_norm", t.QkNorm == QkNormKind.PerHead ? "per_head" : "full");
        if (t.Latent is { } m)
        {
            w.WriteStartObject("latent_attention");
            if (m.QueryRank is { } rq) w.WriteNumber("q_lora_rank", rq);
            else w.WriteNull("q_lora_rank");
            w.WriteNumber("kv_lora_rank", m.KvRank);
            w.WriteNumber("qk_nope_head_dim", m.NopeHeadDim);
            w.WriteNumber("qk_rope_head_dim", m.RopeHeadDim);
            w.WriteNumber("v_head_dim", m.ValueHeadDim);
            w.WriteEndObject();
        }
        if (t.AttentionSinks) w.WriteBoolean("attention_sinks", true);
        if (t.Local is { } local)
        {
            w.WriteStartObject("local_attention");
            w.WriteString("kind", local.Kind == LocalAttentionKind.Chunked ? "chunked" : "sliding");
            w.WriteNumber("window", local.Window);
            Layers(w, "layers", local.Layers);
            w.WriteEndObject();
        }
        if (t.ExpertFfnSize is { } expertFfn) w.WriteNumber("expert_ffn_size", expertFfn);
        if (t.SharedExperts > 0) w.WriteNumber("shared_experts", t.SharedExperts);
        if (t.RouterBias) w.WriteBoolean("router_bias", true);
        if (t.RouterScoreBias) w.WriteBoolean("router_score_bias", true);
        if (t.DenseLayers is { } dense) Layers(w, "dense_layers", dense);
        if (t.PredictionLayers > 0) w.WriteNumber("prediction_layers", t.PredictionLayers);
        if (t.Dropout is { } dropout) w.WriteNumber("dropout", dropout);
        if (t.AttentionDropout is { } attentionDropout) w.WriteNumber("attention_dropout", attentionDropout);
        w.WriteEndObject();
    }

    private static void Layers(Utf8JsonWriter w, string name, LayerSet layers)
    {
        w.WriteStartArray(name);
        foreach (int layer in layers.Layers) w.WriteNumberValue(layer);
        w.WriteEndArray();
    }
}
