using ScaleLab.Core.Accounting;
using ScaleLab.Core.Import.HuggingFace;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Import.HuggingFace;

/// <summary>
/// Real config.json files (Fixtures/hf/&lt;repo&gt;/config.json, as published on the Hugging Face Hub) against published
/// parameter counts. Sources: the Hub's safetensors parameter totals, which count the tensors AutoModelForCausalLM loads
/// (a tied LM head once) — GPT-2 124,439,808; Llama-2-7B 6,738,415,616; Meta-Llama-3-8B and Llama-3.1-8B 8,030,261,248;
/// Mistral-7B-v0.1 7,241,732,096; Mixtral-8x7B 46,702,792,704 (12,879,925,248 active, Mistral AI's "12.9B active");
/// Qwen2-0.5B 494,032,768 and Qwen2-7B 7,615,616,512 (Qwen2 report: 0.49B / 7.6B); Phi-3-mini 3,821,079,552 (3.8B in
/// the Phi-3 report). Gemma: the Gemma report (Gemma Team 2024, Table 2) gives non-embedding parameters 1,981,884,416 (2B)
/// and 7,751,248,896 (7B); its embedding figures count 256,128 rows, the checkpoints 256,000 (vocab_size), so the loaded
/// totals are 2,506,172,416 and 8,537,680,896. BERT-base: BertModel with pooler, 109,482,240.
/// </summary>
public class HfConfigImporterTests
{
    private static string Fixture(string model) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", model, "config.json");

    private static ModelCost Count(string model) => ModelAccounting.Account(HfConfigImporter.Import(Fixture(model)), 128);

    private static string Error(string json) =>
        Assert.Throws<SpecException>(() => HfConfigImporter.Parse(json, "config.json", "m")).Message;

    [Theory]
    [InlineData("gpt2", 124_439_808L)]
    [InlineData("bert-base-uncased", 109_482_240L)]
    [InlineData("Llama-2-7b-hf", 6_738_415_616L)]
    [InlineData("Meta-Llama-3-8B", 8_030_261_248L)]
    [InlineData("Llama-3.1-8B", 8_030_261_248L)]
    [InlineData("Mistral-7B-v0.1", 7_241_732_096L)]
    [InlineData("Mixtral-8x7B-v0.1", 46_702_792_704L)]
    [InlineData("Qwen2-0.5B", 494_032_768L)]
    [InlineData("Qwen2-7B", 7_615_616_512L)]
    [InlineData("gemma-2b", 2_506_172_416L)]
    [InlineData("gemma-7b", 8_537_680_896L)]
    [InlineData("Phi-3-mini-4k-instruct", 3_821_079_552L)]
    public void Import_RealConfig_HasPublishedParameterCount(string model, long parameters) =>
        Assert.Equal(parameters, Count(model).Parameters);

    [Fact]
    public void Import_Mixtral_Has12879925248ActiveParameters() =>
        Assert.Equal(12_879_925_248, Count("Mixtral-8x7B-v0.1").ActiveParameters);

    [Fact]
    public void Import_Gemma_TiesEmbeddingsByFamilyDefaultWhenTheConfigIsSilent()
    {
        var t = HfConfigImporter.Import(Fixture("gemma-2b")).Transformer!;
        Assert.True(t.TiedEmbeddings);
        Assert.Equal(256, t.EffectiveHeadDim);
        Assert.Equal(1, t.EffectiveKvHeads);
        Assert.Equal(FeedForwardKind.GeGlu, t.FeedForward);
    }

    [Fact]
    public void Import_Gemma7b_KeepsHeadDimThatIsNotHiddenOverHeads() =>
        Assert.Equal(256, HfConfigImporter.Import(Fixture("gemma-7b")).Transformer!.HeadDim);

    [Fact]
    public void Import_Qwen2_HasQkvBiasOnly()
    {
        var t = HfConfigImporter.Import(Fixture("Qwen2-0.5B")).Transformer!;
        Assert.Equal(BiasKind.QkvOnly, t.Bias);
        Assert.True(t.TiedEmbeddings);
        Assert.Equal(2, t.EffectiveKvHeads);
    }

    [Fact]
    public void Import_Llama31_RecordsRopeScalingWithoutCountingIt()
    {
        var spec = HfConfigImporter.Import(Fixture("Llama-3.1-8B"));
        Assert.Equal(131_072, spec.Transformer!.MaxPositions);
        Assert.Equal(500_000, spec.Transformer.RopeTheta);
        Assert.Contains("rope_scaling llama3 x8", spec.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_Folder_ReadsItsConfigAndNamesTheModelAfterIt()
    {
        var spec = HfConfigImporter.Import(Path.GetDirectoryName(Fixture("Mistral-7B-v0.1"))!);
        Assert.Equal("Mistral-7B-v0.1", spec.Name);
        Assert.Equal(8, spec.Transformer!.EffectiveKvHeads);
    }

    [Fact]
    public void Import_NameOrPath_NamesTheModel() =>
        Assert.Equal("Llama-2-7b-hf", HfConfigImporter.Import(Fixture("Llama-2-7b-hf")).Name);

    [Fact]
    public void Import_Bert_IsTheBaseModelWithPoolerAndNoLmHead()
    {
        var t = HfConfigImporter.Import(Fixture("bert-base-uncased")).Transformer!;
        Assert.Equal(TransformerKind.Encoder, t.Kind);
        Assert.True(t.Pooler);
        Assert.False(t.LmHead);
        Assert.Equal(2, t.TypeVocabSize);
    }

    [Fact]
    public void Import_LlamaWithAttentionAndMlpBias_AddsEveryBias()
    {
        const string sizes = "\"model_type\": \"llama\", \"vocab_size\": 10, \"hidden_size\": 64, \"num_hidden_layers\": 1, \"num_attention_heads\": 4, \"intermediate_size\": 128";
        long plain = ModelAccounting.Account(HfConfigImporter.Parse("{" + sizes + "}", "c", "m"), 4).Parameters;
        long biased = ModelAccounting.Account(HfConfigImporter.Parse("{" + sizes + ", \"attention_bias\": true, \"mlp_bias\": true}", "c", "m"), 4).Parameters;
        Assert.Equal((4 * 64) + (2 * 128) + 64, biased - plain);   // q, k, v, o (64 each) + gate, up (128 each) + down (64)
    }

    [Fact]
    public void Should_Reject_An_Unknown_ModelType_Listing_Supported_Ones() =>
        Assert.Equal("config.json: model_type: \"t5\" is not supported; supported model types: bert, deepseek_v2, deepseek_v3, gemma, gemma2, gemma3_text, gpt2, gpt_oss, llama, llama4_text, mistral, mixtral, olmo2, phi3, qwen2, qwen3, qwen3_moe (and the text_config of gemma3 and llama4)",
            Error("""{"model_type": "t5", "d_model": 512}"""));

    [Fact]
    public void Should_Reject_A_Config_Without_ModelType() =>
        Assert.Equal("config.json: model_type: missing; a Hugging Face config names its architecture there (supported: bert, deepseek_v2, deepseek_v3, gemma, gemma2, gemma3_text, gpt2, gpt_oss, llama, llama4_text, mistral, mixtral, olmo2, phi3, qwen2, qwen3, qwen3_moe (and the text_config of gemma3 and llama4))",
            Error("""{"hidden_size": 512}"""));

    [Fact]
    public void Should_Reject_A_Missing_Required_Field_Naming_It_And_The_File()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-hf-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"model_type": "llama", "vocab_size": 32000, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128}""");
        try
        {
            Assert.Equal($"{path}: hidden_size: missing; a llama config needs it (the residual stream width)",
                Assert.Throws<SpecException>(() => HfConfigImporter.Import(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Should_Reject_A_Field_Of_The_Wrong_Type() =>
        Assert.Equal("config.json: hidden_size: \"4096\" is not an integer",
            Error("""{"model_type": "llama", "hidden_size": "4096"}"""));

    [Fact]
    public void Should_Reject_A_Non_Positive_Size() =>
        Assert.Equal("config.json: num_hidden_layers: 0; it must be a positive integer (the number of transformer blocks)",
            Error("""{"model_type": "mistral", "vocab_size": 10, "hidden_size": 64, "num_hidden_layers": 0, "num_attention_heads": 4, "intermediate_size": 128}"""));

    [Fact]
    public void Should_Reject_KvHeads_Not_Dividing_Heads() =>
        Assert.Equal("config.json: num_key_value_heads: 3 does not divide num_attention_heads 4; each key/value head serves an equal group of query heads",
            Error("""{"model_type": "llama", "vocab_size": 10, "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 3, "intermediate_size": 128}"""));

    [Fact]
    public void Should_Reject_Heads_Not_Dividing_Hidden_Size() =>
        Assert.Equal("config.json: n_head: 5 does not divide n_embd 64; heads must divide it unless head_dim is given",
            Error("""{"model_type": "gpt2", "vocab_size": 10, "n_embd": 64, "n_layer": 1, "n_head": 5}"""));

    [Fact]
    public void Should_Reject_More_Experts_Per_Token_Than_Experts() =>
        Assert.Equal("config.json: num_experts_per_tok: 4 is more than num_local_experts 2; it must be from 1 to 2",
            Error("""{"model_type": "mixtral", "vocab_size": 10, "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 4, "intermediate_size": 128, "num_local_experts": 2, "num_experts_per_tok": 4}"""));

    [Fact]
    public void Should_Reject_An_Unknown_Gate_Activation() =>
        Assert.StartsWith("config.json: hidden_act: \"relu2\" is not a supported gate activation; supported: silu",
            Error("""{"model_type": "llama", "vocab_size": 10, "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 128, "hidden_act": "relu2"}"""));

    [Fact]
    public void Should_Reject_RopeScaling_That_Is_Not_An_Object() =>
        Assert.StartsWith("config.json: rope_scaling: 8 is not an object",
            Error("""{"model_type": "llama", "rope_scaling": 8}"""));

    [Fact]
    public void Should_Reject_A_RopeScaling_Factor_That_Is_Not_A_Number() =>
        Assert.Equal("config.json: rope_scaling.factor: \"8x\" is not a finite number",
            Error("""{"model_type": "llama", "rope_scaling": {"rope_type": "llama3", "factor": "8x"}}"""));

    [Fact]
    public void Should_Reject_Invalid_Json() =>
        Assert.StartsWith("config.json: line 1: not valid JSON: ", Error("""{"model_type": "llama",, }"""));

    [Fact]
    public void Should_Reject_A_Top_Level_That_Is_Not_An_Object() =>
        Assert.Equal("config.json: top level: expected a JSON object, found [1, 2]; a config.json is one object", Error("[1, 2]"));

    [Fact]
    public void Should_Reject_A_Width_Beyond_The_Spec_Limit() =>
        Assert.Equal("config.json: transformer: d_model is 33554432; it must be from 1 to 16777216",
            Error("""{"model_type": "llama", "vocab_size": 10, "hidden_size": 33554432, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 128}"""));

    [Fact]
    public void Should_Reject_A_Folder_Without_Config()
    {
        string folder = Directory.CreateTempSubdirectory("scalelab-hf-").FullName;
        try
        {
            Assert.Equal($"{folder}: file: this folder holds no config.json", Assert.Throws<SpecException>(() => HfConfigImporter.Import(folder)).Message);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void Should_Reject_A_Missing_File() =>
        Assert.Equal("/no/such/config.json: file: no such file",
            Assert.Throws<SpecException>(() => HfConfigImporter.Import("/no/such/config.json")).Message);
}
