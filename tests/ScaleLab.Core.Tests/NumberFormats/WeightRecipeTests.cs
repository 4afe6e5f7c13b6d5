using ScaleLab.Core.NumberFormats;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.NumberFormats;

/// <summary>
/// Whole-model storage by recipe, for Llama-2-7B (32 layers, d = 4096, f = 11,008, v = 32,000, untied;
/// 266,240 norm weights). Q4_K_M per llama.cpp's src/llama-quant.cpp: token_embd Q4_K, output Q6_K, attn_v and ffn_down
/// Q6_K on the 16 use_more_bits layers and Q4_K on the others, everything else Q4_K, norms F32. TheBloke's
/// llama-2-7b.Q4_K_M.gguf (Hugging Face, TheBloke/Llama-2-7B-GGUF) is 4,081,004,224 bytes: tensors + the GGUF header
/// with its 32,000-token vocabulary.
/// </summary>
public class WeightRecipeTests
{
    private const long D = 4096, F = 11_008, V = 32_000, Norms = 266_240, Parameters = 6_738_415_616;

    private static TransformerSpec Llama2 => ModelPresets.Load("llama-2-7b").Transformer!;

    private static long K4(long elements) => elements / 256 * 144;

    private static long K6(long elements) => elements / 256 * 210;

    [Fact]
    public void Q4KM_Llama2_7B_IsTheMixLlamaCppAssigns()
    {
        var storage = new LlamaCppRecipe(LlamaFtype.Q4KM).Store(Llama2, Parameters);
        long attention = D * D, ffn = D * F;
        long hand = K4(V * D) + K6(V * D)                       // token_embd Q4_K, output Q6_K
            + (32 * 3 * K4(attention))                           // attn_q, attn_k, attn_output
            + (16 * K6(attention)) + (16 * K4(attention))        // attn_v
            + (32 * 2 * K4(ffn))                                 // ffn_gate, ffn_up
            + (16 * K6(ffn)) + (16 * K4(ffn))                    // ffn_down
            + (Norms * 4);                                       // F32 norms
        Assert.Equal(4_080_263_168, hand);
        Assert.Equal(hand, storage.TotalBytes);
        Assert.Equal(Parameters, storage.Parameters);
        // The published file is 0.018 % larger: its header (metadata, vocabulary) is not a tensor.
        Assert.InRange((4_081_004_224.0 - hand) / 4_081_004_224.0, 0, 0.0005);
    }

    [Fact]
    public void Q5KM_Llama2_7B_IsQ5KWithQ6KOnTheUseMoreBitsLayers()
    {
        long attention = D * D, ffn = D * F;
        long K5(long n) => n / 256 * 176;
        long hand = K5(V * D) + K6(V * D)
            + (32 * 3 * K5(attention)) + (16 * K6(attention)) + (16 * K5(attention))
            + (32 * 2 * K5(ffn)) + (16 * K6(ffn)) + (16 * K5(ffn))
            + (Norms * 4);
        var storage = new LlamaCppRecipe(LlamaFtype.Q5KM).Store(Llama2, Parameters);
        Assert.Equal(hand, storage.TotalBytes);
        Assert.Equal(5.678, storage.BitsPerParameter, 3);   // 5.5-bit blocks; attn_v, ffn_down (half the layers) and output at 6.5625
    }

    [Fact]
    public void Q6K_Llama2_7B_IsQ6KEverywhere()
    {
        var storage = new LlamaCppRecipe(LlamaFtype.Q6K).Store(Llama2, Parameters);
        Assert.Equal(K6(Parameters - Norms) + (Norms * 4), storage.TotalBytes);
    }

    [Fact]
    public void Iq4Xs_Llama2_7B_RaisesTheFirstEighthOfFfnDownToQ5K()
    {
        // n_head / n_head_kv = 1 (< 4): attn_v keeps IQ4_XS. ffn_down of layers 0-3 (n/8): Q5_K. Output Q6_K.
        long X(long n) => n / 256 * 136;
        long K5(long n) => n / 256 * 176;
        long attention = D * D, ffn = D * F;
        long hand = X(V * D) + K6(V * D) + (32 * 4 * X(attention)) + (32 * 2 * X(ffn)) + (4 * K5(ffn)) + (28 * X(ffn)) + (Norms * 4);
        Assert.Equal(hand, new LlamaCppRecipe(LlamaFtype.Iq4Xs).Store(Llama2, Parameters).TotalBytes);
    }

    [Fact]
    public void Q4KM_Mixtral_PutsAttnVAndAttnKInQ8_0AndAttnOutputInQ5K()
    {
        var m = ModelPresets.Load("mixtral-8x7b").Transformer!;
        var recipe = new LlamaCppRecipe(LlamaFtype.Q4KM);
        var tensors = WeightTensors.Of(m).Where(t => t.Layer == 5).ToDictionary(t => t.Role);
        Assert.Equal("q8_0", recipe.FormatFor(tensors[TensorRole.AttentionV], m).Name);
        Assert.Equal("q8_0", recipe.FormatFor(tensors[TensorRole.AttentionK], m).Name);
        Assert.Equal("q5_k", recipe.FormatFor(tensors[TensorRole.AttentionOutput], m).Name);
        Assert.Equal("f32", recipe.FormatFor(tensors[TensorRole.Router], m).Name);
        Assert.Equal(8, tensors[TensorRole.FfnDown].Copies);
    }

    [Fact]
    public void Q8_0_Llama2_7B_IsQ8_0Everywhere()
    {
        var storage = new LlamaCppRecipe(LlamaFtype.Q80).Store(Llama2, Parameters);
        Assert.Equal(((Parameters - Norms) / 32 * 34) + (Norms * 4), storage.TotalBytes);
    }

    [Fact]
    public void Q4_0_Llama2_7B_KeepsTheOutputInQ6K()
    {
        var storage = new LlamaCppRecipe(LlamaFtype.Q40).Store(Llama2, Parameters);
        long rest = Parameters - Norms - (V * D);
        Assert.Equal((rest / 32 * 18) + K6(V * D) + (Norms * 4), storage.TotalBytes);
    }

    [Fact]
    public void Mxfp4_QuantizesTheBlockLinears_AndKeepsEmbeddingsAndHeadInBf16()
    {
        var storage = new LinearLayersRecipe(BlockFormats.Mxfp4).Store(Llama2, Parameters);
        long linears = 32 * ((4 * D * D) + (3 * D * F));
        Assert.Equal((linears / 32 * 17) + ((Parameters - linears) * 2), storage.TotalBytes);
    }

    [Fact]
    public void Awq_Group128_AddsZerosAndScalesPerGroup()
    {
        var storage = new LinearLayersRecipe(BlockFormats.Awq(128)).Store(Llama2, Parameters);
        long linears = 32 * ((4 * D * D) + (3 * D * F));
        Assert.Equal((linears / 128 * 532 / 8) + ((Parameters - linears) * 2), storage.TotalBytes);
    }

    [Theory]
    [InlineData("q4_k_m")]
    [InlineData("Q5_K_M")]
    [InlineData("iq4_xs")]
    [InlineData("mxfp4")]
    [InlineData("awq-g64")]
    [InlineData("gptq")]
    [InlineData("fp8-block")]
    public void Recipes_AreFoundByName(string name) => Assert.NotNull(WeightRecipes.Find(name));

    [Fact]
    public void Recipes_RejectAnUnknownGroupSize() => Assert.Null(WeightRecipes.Find("awq-g100"));
}
