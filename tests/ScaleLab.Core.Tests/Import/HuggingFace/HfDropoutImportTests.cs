using ScaleLab.Core.Import.HuggingFace;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Import.HuggingFace;

/// <summary>
/// Dropout read from real configs: GPT-2 (resid/embd/attn_pdrop 0.1), BERT (hidden_dropout_prob and
/// attention_probs_dropout_prob 0.1), Llama 3 and Mixtral (attention_dropout 0.0, no residual dropout).
/// </summary>
public class HfDropoutImportTests
{
    private static TransformerSpec Import(string model) =>
        HfConfigImporter.Import(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", model, "config.json")).Transformer!;

    [Theory]
    [InlineData("gpt2", 0.1, 0.1)]
    [InlineData("bert-base-uncased", 0.1, 0.1)]
    [InlineData("Meta-Llama-3-8B", 0.0, 0.0)]
    [InlineData("Mixtral-8x7B-v0.1", 0.0, 0.0)]
    [InlineData("Llama-2-7b-hf", 0.0, 0.0)]
    public void Import_RealConfig_HasItsDropout(string model, double hidden, double attention)
    {
        var t = Import(model);
        Assert.Equal((hidden, attention), (t.Dropout, t.AttentionDropout));
    }

    [Fact]
    public void Should_Reject_A_Dropout_Of_One()
    {
        const string json = """{"model_type": "llama", "vocab_size": 10, "hidden_size": 64, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 128, "attention_dropout": 1.0}""";
        Assert.Equal("config.json: attention_dropout: 1; a dropout probability must be at least 0 and below 1",
            Assert.Throws<SpecException>(() => HfConfigImporter.Parse(json, "config.json", "m")).Message);
    }
}
