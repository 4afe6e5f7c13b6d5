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
        w.WriteBoolean("post_norm", t.PostNorm);
        w.WriteBoolean("lm_head", t.LmHead);
        if (t.Dropout is { } dropout) w.WriteNumber("dropout", dropout);
        if (t.AttentionDropout is { } attentionDropout) w.WriteNumber("attention_dropout", attentionDropout);
        w.WriteEndObject();
    }
}
