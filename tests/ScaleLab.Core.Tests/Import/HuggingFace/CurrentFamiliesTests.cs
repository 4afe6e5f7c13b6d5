using ScaleLab.Core.Accounting;
using ScaleLab.Core.Import.HuggingFace;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Import.HuggingFace;

/// <summary>
/// The 2024–2025 families from their Hugging Face configs (Fixtures/hf/README.md says where each file came from)
/// against published parameter counts. Exact integers: keras-team/keras-hub's preset tables (metadata.params, counted
/// from the converted checkpoints) for Qwen3, Qwen3-MoE, Gemma 2/3, gpt-oss and Qwen2.5. Rounded figures, where no
/// exact one is published: DeepSeek-V3 671B main + 14B MTP, 37B active (arXiv:2412.19437); DeepSeek-V2-Lite 15.7B,
/// 2.4B active (arXiv:2405.04434, App. B); OLMo-2-7B 7.30B; Llama 4 Scout 17B active. Each exact figure below is also
/// derived by hand in its comment, tensor by tensor, so a failure shows which part moved.
/// </summary>
public class CurrentFamiliesTests
{
    private static string Fixture(string model) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", model, "config.json");

    private static ModelSpec Import(string model) => HfConfigImporter.Import(Fixture(model));

    private static ModelCost Count(string model) => ModelAccounting.Account(Import(model), 128);

    [Theory]
    [InlineData("Qwen3-8B", 8_190_735_360L)]
    [InlineData("Qwen3-0.6B", 596_049_920L)]
    [InlineData("Qwen3-30B-A3B", 30_532_122_624L)]
    [InlineData("gemma-2-2b-it", 2_614_341_888L)]
    [InlineData("gemma-2-9b", 9_241_705_984L)]
    [InlineData("gemma-3-1b-pt", 999_885_952L)]
    [InlineData("gpt-oss-20b", 20_914_757_184L)]
    [InlineData("gpt-oss-120b", 116_829_156_672L)]
    [InlineData("Qwen2.5-72B-Instruct", 72_706_203_648L)]
    [InlineData("Mistral-Nemo-Base-2407", 12_247_782_400L)]   // head_dim 128 while 5120 / 32 = 160
    [InlineData("phi-4", 14_659_507_200L)]
    public void Import_CurrentFamily_HasPublishedExactParameterCount(string model, long parameters) =>
        Assert.Equal(parameters, Count(model).Parameters);

    [Fact]
    public void Import_Qwen3_8b_HasPerHeadQkNormsAndNoQkvBias()
    {
        // Per layer: q 4096·4096 + k, v 1024·4096 + o 4096·4096 = 41,943,040; q_norm, k_norm 128 each; MLP 3·4096·12,288
        // = 150,994,944; two norms 8,192 → 192,946,432 × 36, + embed and untied head 2 · 151,936 · 4,096 + final norm 4,096.
        var t = Import("Qwen3-8B").Transformer!;
        Assert.Equal(QkNormKind.PerHead, t.QkNorm);
        Assert.Equal(BiasKind.None, t.Bias);
        Assert.Equal(8_190_735_360, (192_946_432L * 36) + (2L * 151_936 * 4096) + 4096);
        // Qwen3 card: 6.95B non-embedding.
        Assert.Equal(6.95, Math.Round(Count("Qwen3-8B").ActiveParametersWithoutEmbedding / 1e9 - 0.622_329_856, 2));
    }

    [Fact]
    public void Import_Qwen3Moe_Has3353032704ActiveParameters()
    {
        // Per layer: attention 18,874,368 + q/k norms 256, 8 of 128 experts × 3·2048·768 = 37,748,736, router 128·2048
        // = 262,144, norms 4,096 → 56,889,600 × 48, + embed and head 622,329,856 + final norm 2,048. Card: 3.3B active.
        var c = Count("Qwen3-30B-A3B");
        Assert.Equal((56_889_600L * 48) + 622_329_856 + 2048, c.ActiveParameters);
        Assert.Equal(3_353_032_704, c.ActiveParameters);
        Assert.Equal(768, c.Spec.Transformer!.EffectiveExpertFfnSize);
        Assert.Null(c.Spec.Transformer.DenseLayers);
    }

    [Fact]
    public void Import_DeepSeekV3_Has671BMainModelAnd37BActive()
    {
        // Attention per layer (MLA): q_a 1536·7168 + q_a_layernorm 1536 + q_b 128·192·1536 + kv_a (512+64)·7168
        // + kv_a_layernorm 512 + kv_b 128·256·512 + o 7168·128·128 = 187,107,328. Dense layers 0–2: MLP 3·7168·18,432;
        // MoE layers 3–60: 256 routed + 1 shared expert × 3·7168·2048, router 256·7168. Embed and untied head 2·129,280·7168.
        var c = Count("DeepSeek-V3");
        long attention = (1536L * 7168) + 1536 + (128L * 192 * 1536) + (576L * 7168) + 512 + (128L * 256 * 512) + (7168L * 128 * 128);
        Assert.Equal(187_107_328, attention);
        long expert = 3L * 7168 * 2048;
        long dense = attention + (2 * 7168) + (3L * 7168 * 18_432);
        long moe = attention + (2 * 7168) + (257 * expert) + (256L * 7168);
        Assert.Equal((3 * dense) + (58 * moe) + (2L * 129_280 * 7168) + 7168, c.Parameters);
        Assert.Equal(671, Math.Round(c.Parameters / 1e9));
        // e_score_correction_bias: a buffer of 256 per MoE layer (transformers' DeepseekV3TopkRouter registers it so).
        Assert.Equal(58 * 256, c.Buffers);
        // 37B activated (8 routed + 1 shared): DeepSeek quotes it without the input embedding, 36.6B; with it 37.6B.
        Assert.Equal(37, Math.Round(c.ActiveParametersWithoutEmbedding / 1e9));
        Assert.Equal(c.ActiveParameters - (129_280L * 7168), c.ActiveParametersWithoutEmbedding);
    }

    [Fact]
    public void Import_DeepSeekV3_ReportsTheMtpModuleApartFromTheMainModel()
    {
        var spec = Import("DeepSeek-V3");
        Assert.Equal(1, spec.Transformer!.PredictionLayers);
        long mtp = TransformerAccounting.PredictionLayerParameters(spec);
        // One MoE block + enorm, hnorm, shared_head.norm (3·7168) + eh_proj 7168·14,336 + its embed and head copies.
        long block = (187_107_328L + (2 * 7168) + (257 * 3L * 7168 * 2048) + (256L * 7168));
        Assert.Equal(block + (3 * 7168) + (2L * 7168 * 7168) + (2L * 129_280 * 7168), mtp);
        // The report's "14B of the Multi-Token Prediction Module weights" and "685B" on the Hub: 671.03 + 13.46 = 684.49.
        Assert.InRange(mtp / 1e9, 13.0, 14.5);
        Assert.Equal(685, Math.Ceiling((ModelAccounting.Account(spec, 1).Parameters + mtp) / 1e9));
    }

    [Fact]
    public void Import_DeepSeekV2Lite_Has15_7BAnd2_4BActiveWithoutEmbedding()
    {
        var c = Count("DeepSeek-V2-Lite-Chat");
        var t = c.Spec.Transformer!;
        Assert.Null(t.Latent!.QueryRank);
        Assert.False(t.RouterScoreBias);
        Assert.Equal(LayerSet.Of([0]), t.DenseLayers);
        // Attention: q_proj 16·192·2048 + kv_a 576·2048 + 512 + kv_b 16·256·512 + o 2048·2048 = 13,763,072.
        long attention = (16L * 192 * 2048) + (576L * 2048) + 512 + (16L * 256 * 512) + (2048L * 2048);
        long expert = 3L * 2048 * 1408;
        long moeLayer = attention + 4096 + (66 * expert) + (64L * 2048);
        long denseLayer = attention + 4096 + (3L * 2048 * 10_944);
        Assert.Equal(denseLayer + (26 * moeLayer) + (2L * 102_400 * 2048) + 2048, c.Parameters);
        Assert.Equal(15.7, Math.Round(c.Parameters / 1e9, 1));
        // The report's "2.4B activated" is without the input embedding: 2.45B (2.66B with it).
        Assert.InRange(c.ActiveParametersWithoutEmbedding / 1e9, 2.4, 2.5);
    }

    [Fact]
    public void Import_Gemma2_HasFourNormsPerBlockAndAlternatingSlidingLayers()
    {
        var t = Import("gemma-2-9b").Transformer!;
        Assert.Equal(NormPlacement.Sandwich, t.Placement);
        Assert.True(t.TiedEmbeddings);
        Assert.Equal(LocalAttentionKind.Sliding, t.Local!.Kind);
        Assert.Equal(4096, t.Local.Window);
        Assert.Equal(Enumerable.Range(0, 21).Select(i => 2 * i), t.Local.Layers.Layers);
    }

    [Fact]
    public void Import_Gemma3_SlidesFiveLayersOfEverySix()
    {
        var t = Import("gemma-3-1b-pt").Transformer!;
        Assert.Equal(QkNormKind.PerHead, t.QkNorm);
        Assert.Equal(22, t.Local!.Layers.Count);
        Assert.False(t.IsLocalLayer(5));
        Assert.True(t.IsLocalLayer(6));
        Assert.Equal(512, t.Local.Window);
    }

    [Fact]
    public void Import_Olmo2_HasFullWidthQkNormsAndPostSublayerNorms()
    {
        // Per layer: q, k, v, o 4·4096² + q_norm and k_norm over 4096 each + MLP 3·4096·11,008 + two norms;
        // embed and untied head 2·100,352·4096 + final norm: 7,298,617,344 — the Hub's "7.30B".
        var c = Count("OLMo-2-1124-7B");
        Assert.Equal(NormPlacement.PostSublayer, c.Spec.Transformer!.Placement);
        Assert.Equal(QkNormKind.Full, c.Spec.Transformer.QkNorm);
        long layer = (4L * 4096 * 4096) + (2 * 4096) + (3L * 4096 * 11_008) + (2 * 4096);
        Assert.Equal((32 * layer) + (2L * 100_352 * 4096) + 4096, c.Parameters);
        Assert.Equal(7.30, Math.Round(c.Parameters / 1e9, 2));
    }

    [Theory]
    [InlineData("gpt-oss-20b", 3.61)]
    [InlineData("gpt-oss-120b", 5.13)]
    public void Import_GptOss_HasTheModelCardsActiveCountWithoutEmbedding(string model, double billions)
    {
        // gpt-oss model card (arXiv:2508.10925, Table 1): 3.6B / 5.1B active; OpenAI counts the unembedding, not the embedding.
        var c = Count(model);
        Assert.Equal(billions, Math.Round(c.ActiveParametersWithoutEmbedding / 1e9, 2));
        var t = c.Spec.Transformer!;
        Assert.True(t.AttentionSinks);
        Assert.True(t.RouterBias);
        Assert.Equal(BiasKind.All, t.Bias);
        Assert.Equal(128, t.Local!.Window);
    }

    [Fact]
    public void Import_GptOss20b_CountsSinksRouterAndExpertBiases()
    {
        // Per layer: q 2880·4096 + 4096, k and v 2880·512 + 512, o 4096·2880 + 2880, sinks 64; 32 experts of
        // gate_up (2880·5760 + 5760) and down (2880·2880 + 2880); router 32·2880 + 32; two norms.
        long attention = (2880L * 4096) + 4096 + (2 * ((2880L * 512) + 512)) + (4096L * 2880) + 2880 + 64;
        long experts = 32 * ((2880L * 5760) + 5760 + (2880L * 2880) + 2880);
        long layer = attention + experts + (32L * 2880) + 32 + (2 * 2880);
        Assert.Equal((24 * layer) + (2L * 201_088 * 2880) + 2880, Count("gpt-oss-20b").Parameters);
    }

    [Fact]
    public void Import_Llama4Scout_CountsTheTextStackWithItsSharedExpert()
    {
        var spec = Import("Llama-4-Scout-17B-16E");
        var t = spec.Transformer!;
        Assert.Equal(1, t.SharedExperts);
        Assert.Null(t.DenseLayers);   // interleave_moe_layer_step 1: every layer routes
        Assert.Equal(8192, t.EffectiveExpertFfnSize);
        Assert.Equal(LocalAttentionKind.Chunked, t.Local!.Kind);
        Assert.Equal(36, t.Local.Layers.Count);
        Assert.Contains("text", spec.Description, StringComparison.Ordinal);
        var c = ModelAccounting.Account(spec, 128);
        // Per layer: attention 2·5120² + 2·1024·5120, 16 experts + 1 shared × 3·5120·8192, router 16·5120, two norms.
        long expert = 3L * 5120 * 8192;
        long layer = (2L * 5120 * 5120) + (2L * 1024 * 5120) + (17 * expert) + (16L * 5120) + (2 * 5120);
        Assert.Equal((48 * layer) + (2L * 202_048 * 5120) + 5120, c.Parameters);
        Assert.True(c.Parameters < 109_000_000_000);   // the 109B of the model card includes the vision tower
        Assert.Equal(17, Math.Round(c.ActiveParameters / 1e9));
    }

    [Fact]
    public void Import_RelabelledDeepSeekConfig_IsRefusedNamingTheKeyAndTheModelType()
    {
        string json = File.ReadAllText(Fixture("DeepSeek-V3")).Replace("\"deepseek_v3\"", "\"mixtral\"", StringComparison.Ordinal);
        var error = Assert.Throws<SpecException>(() => HfConfigImporter.Parse(json, "config.json", "m"));
        Assert.Equal("config.json: first_k_dense_replace: is set, but a mixtral model has no such part (first_k_dense_replace is read by model types deepseek_v2, deepseek_v3); the config's model_type does not match its fields", error.Message);
    }

    [Fact]
    public void Import_LayerTypesOfTheWrongLength_IsRefused()
    {
        string json = File.ReadAllText(Fixture("gpt-oss-20b")).Replace("\"num_hidden_layers\": 24", "\"num_hidden_layers\": 23", StringComparison.Ordinal);
        var error = Assert.Throws<SpecException>(() => HfConfigImporter.Parse(json, "config.json", "m"));
        Assert.Equal("config.json: layer_types: has 24 entries for 23 layers; it needs one per layer", error.Message);
    }

    [Fact]
    public void Import_Qwen2SlidingWindowSwitchedOff_HasNoLocalLayers() =>
        Assert.Null(Import("Qwen2.5-72B-Instruct").Transformer!.Local);
}

public class UnsupportedModelTypeFallbackTests
{
    [Fact]
    public void Resolve_FolderWithUnknownModelTypeAndWeights_CountsFromTheHeaders()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"scalelab-mamba-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), """{"model_type": "mamba", "hidden_size": 8}""");
            byte[] header = System.Text.Encoding.UTF8.GetBytes("""{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}""");
            using (var file = File.Create(Path.Combine(folder, "model.safetensors")))
            {
                file.Write(BitConverter.GetBytes((long)header.Length));
                file.Write(header);
                file.Write(new byte[24]);
            }
            var target = Assert.IsType<ScaleLab.Core.Targets.CheckpointTarget>(ScaleLab.Core.Targets.TargetResolver.Resolve(folder));
            Assert.EndsWith("model.safetensors", target.Path, StringComparison.Ordinal);
            Assert.Contains("model_type \"mamba\" is not supported; counted from the checkpoint headers instead (model.safetensors)", target.Note, StringComparison.Ordinal);
            Assert.Equal(6, ScaleLab.Core.Import.Checkpoints.CheckpointSummaryReader.Read(target.Path).Parameters);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Resolve_FolderWithUnknownModelTypeAndNoWeights_NamesTheModelType()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"scalelab-mamba-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "config.json"), """{"model_type": "mamba"}""");
            var error = Assert.Throws<SpecException>(() => ScaleLab.Core.Targets.TargetResolver.Resolve(folder));
            Assert.Equal("mamba", error.UnsupportedModelType);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
