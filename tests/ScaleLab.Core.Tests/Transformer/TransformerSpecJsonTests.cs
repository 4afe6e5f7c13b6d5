using System.Text.Json;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Transformer;

/// <summary>The "transformer" object of a spec: defaults, round trip, and one test per error with its whole message.</summary>
public class TransformerSpecJsonTests
{
    /// <summary>A small GPT-like decoder (4 heads of 16); <paramref name="fields"/> are extra keys appended to it.</summary>
    private static string Spec(string fields = "") =>
        $$$"""{"name": "t", "transformer": {"vocab_size": 100, "d_model": 64, "layers": 2, "heads": 4, "ffn_size": 256, "max_positions": 128{{{(fields.Length == 0 ? "" : ", " + fields)}}}}}""";

    private static string Rotary(string fields) =>
        $$$"""{"name": "t", "transformer": {"vocab_size": 100, "d_model": 64, "layers": 2, "ffn_size": 256, "positions": "rotary", {{{fields}}}}}""";

    private static TransformerSpec Parse(string json) => ModelSpecJson.Parse(json, "t.json").Transformer!;

    private static string Error(string json) => Assert.Throws<SpecException>(() => ModelSpecJson.Parse(json, "t.json")).Message;

    [Fact]
    public void Parse_MinimalDecoder_TakesDocumentedDefaults()
    {
        var t = Parse(Spec());
        Assert.Equal(TransformerKind.Decoder, t.Kind);
        Assert.Equal(FeedForwardKind.Plain, t.FeedForward);
        Assert.Equal(ActivationKind.Gelu, t.Activation);
        Assert.Equal(NormKind.LayerNorm, t.Norm);
        Assert.True(t.NormBias);
        Assert.Equal(BiasKind.All, t.Bias);
        Assert.False(t.TiedEmbeddings);
        Assert.True(t.LmHead);
        Assert.True(t.FinalNorm);
        Assert.Equal(4, t.EffectiveKvHeads);
        Assert.Equal(16, t.EffectiveHeadDim);
    }

    [Fact]
    public void Parse_Encoder_HasNoLmHeadByDefault() =>
        Assert.False(Parse(Spec("\"kind\": \"encoder\"")).LmHead);

    [Fact]
    public void Parse_SwiGlu_ImpliesSilu() =>
        Assert.Equal(ActivationKind.Silu, Parse(Spec("\"ffn\": \"swiglu\"")).Activation);

    [Fact]
    public void Parse_RmsNorm_HasNoNormBias() =>
        Assert.False(Parse(Spec("\"norm\": \"rmsnorm\"")).NormBias);

    [Theory]
    [InlineData("mixtral-8x7b")]
    [InlineData("bert-base-uncased")]
    [InlineData("gpt2-small")]
    [InlineData("deepseek-v3")]
    [InlineData("deepseek-v2-lite")]
    [InlineData("gemma-2-9b")]
    [InlineData("gemma-3-1b")]
    [InlineData("olmo-2-7b")]
    [InlineData("gpt-oss-20b")]
    [InlineData("llama-4-scout-17b-16e")]
    [InlineData("qwen3-30b-a3b")]
    public void WriteThenParse_Preset_GivesTheSameSpec(string preset)
    {
        var original = ScaleLab.Core.Presets.ModelPresets.Load(preset).Transformer!;
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            TransformerSpecJson.Write(writer, original);
        }
        using var document = JsonDocument.Parse(stream.ToArray());
        Assert.Equal(original, TransformerSpecJson.Parse(document.RootElement, "round-trip"));
    }

    [Fact]
    public void Should_Reject_Heads_Not_Dividing_DModel() =>
        Assert.Equal("t.json: transformer: heads is 5, which does not divide d_model 64; choose heads dividing d_model, or give head_dim explicitly",
            Error(Rotary("\"heads\": 5")));

    [Fact]
    public void Should_Accept_Heads_Not_Dividing_DModel_With_HeadDim() =>
        Assert.Equal(32, Parse(Rotary("\"heads\": 5, \"head_dim\": 32")).EffectiveHeadDim);

    [Fact]
    public void Should_Reject_KvHeads_Not_Dividing_Heads() =>
        Assert.Equal("t.json: transformer: kv_heads is 3, which does not divide heads 4; kv_heads must divide heads (e.g. 1, or 4)",
            Error(Rotary("\"heads\": 4, \"kv_heads\": 3")));

    [Fact]
    public void Should_Reject_KvHeads_Above_Heads() =>
        Assert.Equal("t.json: transformer: kv_heads is 8, which does not divide heads 4; kv_heads must divide heads (e.g. 1, or 4)",
            Error(Rotary("\"heads\": 4, \"kv_heads\": 8")));

    [Fact]
    public void Should_Reject_TopK_Above_Experts() =>
        Assert.Equal("t.json: transformer: top_k is 3, more than experts 2; top_k must be from 1 to 2",
            Error(Rotary("\"heads\": 4, \"experts\": 2, \"top_k\": 3")));

    [Fact]
    public void Should_Reject_TopK_Without_Experts() =>
        Assert.Equal("t.json: transformer: top_k is 2 but experts is 0; top_k only applies to a mixture of experts (experts ≥ 2)",
            Error(Rotary("\"heads\": 4, \"top_k\": 2")));

    [Fact]
    public void Should_Reject_A_Missing_Size() =>
        Assert.Equal("t.json: transformer: missing field 'heads' (the number of attention (query) heads, e.g. 12)",
            Error(Rotary("\"kv_heads\": 1")));

    [Fact]
    public void Should_Reject_Learned_Positions_Without_MaxPositions() =>
        Assert.Equal("t.json: transformer: missing field 'max_positions' (rows of the learned position table, e.g. 1024); learned positions need it",
            Error("""{"name": "t", "transformer": {"vocab_size": 100, "d_model": 64, "layers": 2, "heads": 4, "ffn_size": 256}}"""));

    [Fact]
    public void Should_Reject_An_Unknown_Ffn() =>
        Assert.Equal("t.json: transformer: ffn is \"moe\"; it must be plain, swiglu or geglu", Error(Spec("\"ffn\": \"moe\"")));

    [Fact]
    public void Should_Reject_An_Unknown_Bias() =>
        Assert.Equal("t.json: transformer: bias is \"some\"; it must be none, qkv or all", Error(Spec("\"bias\": \"some\"")));

    [Fact]
    public void Should_Reject_An_Unknown_Kind() =>
        Assert.Equal("t.json: transformer: kind is \"seq2seq\"; it must be decoder or encoder", Error(Spec("\"kind\": \"seq2seq\"")));

    [Fact]
    public void Should_Reject_An_Unknown_Norm() =>
        Assert.Equal("t.json: transformer: norm is \"batchnorm\"; it must be layernorm or rmsnorm", Error(Spec("\"norm\": \"batchnorm\"")));

    [Fact]
    public void Should_Reject_Unknown_Positions() =>
        Assert.Equal("t.json: transformer: positions is \"alibi\"; it must be learned, rotary or none", Error(Spec("\"positions\": \"alibi\"")));

    [Fact]
    public void Should_Reject_An_Activation_Contradicting_The_Gate() =>
        Assert.Equal("t.json: transformer: activation is \"gelu\" but ffn swiglu gates with silu; use ffn \"geglu\" or drop 'activation'",
            Error(Spec("\"ffn\": \"swiglu\", \"activation\": \"gelu\"")));

    [Fact]
    public void Should_Reject_An_Unknown_Activation() =>
        Assert.Equal("t.json: transformer: activation is \"mish\"; it must be relu, gelu, silu, tanh or sigmoid", Error(Spec("\"activation\": \"mish\"")));

    [Fact]
    public void Should_Reject_Tied_Embeddings_Without_LmHead() =>
        Assert.Equal("t.json: transformer: tied_embeddings is true but lm_head is false; only an LM head can share the token-embedding matrix",
            Error(Spec("\"tied_embeddings\": true, \"lm_head\": false")));

    [Fact]
    public void Should_Reject_A_Norm_Bias_On_RmsNorm() =>
        Assert.Equal("t.json: transformer: norm_bias is true but norm is rmsnorm; RMSNorm has a weight vector only (use layernorm for a bias)",
            Error(Spec("\"norm\": \"rmsnorm\", \"norm_bias\": true")));

    [Fact]
    public void Should_Reject_A_Width_Beyond_The_Limit() =>
        Assert.Equal("t.json: transformer: d_model is 16777217; it must be from 1 to 16777216",
            Error("""{"name": "t", "transformer": {"vocab_size": 100, "d_model": 16777217, "layers": 2, "heads": 1, "ffn_size": 256, "max_positions": 8}}"""));

    [Fact]
    public void Should_Reject_An_Unknown_Field_Listing_Valid_Ones()
    {
        string message = Error(Spec("\"n_layers\": 3"));
        Assert.StartsWith("t.json: transformer: unknown field 'n_layers'; valid fields here: activation, attention_dropout, attention_sinks, bias, d_model, dense_layers, dropout, embedding_norm, expert_ffn_size, experts, ffn, ffn_bias, ffn_size, final_norm, head_dim, heads, kind, kv_heads, latent_attention,", message);
    }

    [Fact]
    public void Parse_LegacyPostNorm_MeansPostPlacement() =>
        Assert.Equal(NormPlacement.Post, Parse(Spec("\"post_norm\": true")).Placement);

    [Fact]
    public void Should_Reject_PostNorm_Contradicting_NormPlacement() =>
        Assert.Equal("t.json: transformer: post_norm is true but norm_placement is not \"post\"; give one of them",
            Error(Spec("\"post_norm\": true, \"norm_placement\": \"sandwich\"")));

    [Fact]
    public void Should_Reject_An_Unknown_NormPlacement() =>
        Assert.Equal("t.json: transformer: norm_placement is \"middle\"; it must be pre, post, sandwich or post_sublayer",
            Error(Spec("\"norm_placement\": \"middle\"")));

    [Fact]
    public void Should_Reject_An_Unknown_QkNorm() =>
        Assert.Equal("t.json: transformer: qk_norm is \"l2\"; it must be none, per_head (Qwen3, Gemma 3) or full (OLMo 2)",
            Error(Spec("\"qk_norm\": \"l2\"")));

    [Fact]
    public void Should_Reject_Expert_Fields_Without_Experts() =>
        Assert.Equal("t.json: transformer: shared_experts is set but experts is 0; it only applies to a mixture of experts (experts ≥ 2)",
            Error(Spec("\"shared_experts\": 1")));

    [Fact]
    public void Should_Reject_A_Dense_Layer_Beyond_The_Last() =>
        Assert.Equal("t.json: transformer: dense_layers holds 2; block indices run from 0 to 1",
            Error(Spec("\"experts\": 4, \"top_k\": 2, \"dense_layers\": [0, 2]")));

    [Fact]
    public void Should_Reject_A_Layer_Listed_Twice() =>
        Assert.Equal("t.json: transformer: dense_layers lists block 1 twice",
            Error(Spec("\"experts\": 4, \"top_k\": 2, \"dense_layers\": [1, 1]")));

    [Fact]
    public void Should_Reject_KvHeads_With_LatentAttention() =>
        Assert.Equal("t.json: transformer: kv_heads is set with latent_attention; MLA keys and values come from the latent, drop kv_heads",
            Error(Spec("\"kv_heads\": 2, \"latent_attention\": {\"kv_lora_rank\": 8, \"qk_nope_head_dim\": 4, \"qk_rope_head_dim\": 4, \"v_head_dim\": 4}")));

    [Fact]
    public void Should_Reject_LatentAttention_Without_KvLoraRank() =>
        Assert.Equal("t.json: transformer.latent_attention: missing field 'kv_lora_rank' (the width of the compressed key/value latent, e.g. 512)",
            Error(Spec("\"latent_attention\": {\"qk_nope_head_dim\": 4, \"qk_rope_head_dim\": 4, \"v_head_dim\": 4}")));

    [Fact]
    public void Should_Reject_An_Unknown_Local_Attention_Kind() =>
        Assert.Equal("t.json: transformer.local_attention: kind is \"dilated\"; it must be sliding or chunked",
            Error(Spec("\"local_attention\": {\"kind\": \"dilated\", \"window\": 4}")));

    [Fact]
    public void Parse_LocalAttentionWithoutLayers_CoversEveryLayer() =>
        Assert.Equal(2, Parse(Spec("\"local_attention\": {\"window\": 4}")).Local!.Layers.Count);
}

