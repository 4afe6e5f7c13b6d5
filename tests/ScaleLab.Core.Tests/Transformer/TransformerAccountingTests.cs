using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Transformer;

/// <summary>
/// Transformer accounting against published parameter counts (the Hugging Face models' num_parameters(), which
/// transformers computes from the loaded tensors, a tied matrix once) and against closed-form FLOP and activation formulas.
/// </summary>
public class TransformerAccountingTests
{
    private static ModelCost Preset(string name, long? sequence = null) => ModelAccounting.Account(ModelPresets.Load(name), sequence);

    private static ModelSpec Decoder(TransformerSpec t) => new() { Name = "t", Transformer = t, Task = TaskKind.LanguageModel };

    /// <summary>GPT-2 small's shape as a spec record, for variations.</summary>
    private static readonly TransformerSpec Gpt2Small = new()
    {
        VocabSize = 50257, DModel = 768, Layers = 12, Heads = 12, FfnSize = 3072, MaxPositions = 1024, TiedEmbeddings = true,
    };

    [Theory]
    [InlineData("gpt2-small", 124_439_808L)]
    [InlineData("gpt2-medium", 354_823_168L)]
    [InlineData("gpt2-large", 774_030_080L)]
    [InlineData("gpt2-xl", 1_557_611_200L)]
    [InlineData("bert-base-uncased", 109_482_240L)]
    [InlineData("bert-large-uncased", 335_141_888L)]
    [InlineData("llama-2-7b", 6_738_415_616L)]
    [InlineData("llama-3-8b", 8_030_261_248L)]
    [InlineData("mistral-7b-v0.1", 7_241_732_096L)]
    [InlineData("mixtral-8x7b", 46_702_792_704L)]
    public void Estimate_Preset_HasPublishedParameterCount(string preset, long parameters) =>
        Assert.Equal(parameters, Preset(preset, 128).Parameters);

    [Fact]
    public void Estimate_Gpt2Small_Has124439808Parameters() => Assert.Equal(124_439_808, Preset("gpt2-small").Parameters);

    [Fact]
    public void Estimate_Mixtral8x7b_Has12879925248ActiveParameters()
    {
        var cost = Preset("mixtral-8x7b", 128);
        Assert.Equal(12_879_925_248, cost.ActiveParameters);
        // Active = total − 6 unused experts × 3 matrices (4096 × 14336) × 32 layers.
        Assert.Equal(cost.Parameters - (6L * 3 * 4096 * 14336 * 32), cost.ActiveParameters);
    }

    [Fact]
    public void Estimate_DenseModel_HasActiveEqualToTotal()
    {
        var cost = Preset("llama-2-7b", 128);
        Assert.Equal(cost.Parameters, cost.ActiveParameters);
    }

    [Fact]
    public void Estimate_TiedLmHead_CountsTheMatrixOnceButPaysItsMatmul()
    {
        var tied = ModelAccounting.Account(Decoder(Gpt2Small), 1024);
        var untied = ModelAccounting.Account(Decoder(Gpt2Small with { TiedEmbeddings = false }), 1024);
        var head = tied.Layers.Single(r => r.Path == "lm_head");
        Assert.Equal(0, head.Parameters);
        Assert.Equal(1024L * 768 * 50257, head.ForwardMacs);                         // S · d · V
        Assert.Equal(50257L * 768, untied.Parameters - tied.Parameters);            // the matrix, once
        Assert.Equal(untied.ForwardMacs, tied.ForwardMacs);                          // same work either way
    }

    [Fact]
    public void Estimate_Gqa_ShrinksKeyAndValueProjections()
    {
        var llama = new TransformerSpec
        {
            VocabSize = 32000, DModel = 4096, Layers = 1, Heads = 32, FfnSize = 11008, FeedForward = FeedForwardKind.SwiGlu,
            Activation = ActivationKind.Silu, Norm = NormKind.RmsNorm, NormBias = false, Positions = PositionKind.Rotary, Bias = BiasKind.None,
        };
        var mha = ModelAccounting.Account(Decoder(llama), 16);
        var gqa = ModelAccounting.Account(Decoder(llama with { KvHeads = 8 }), 16);
        long KProj(ModelCost c) => c.Layers.Single(r => r.Path == "blocks[0].attn.k_proj").Parameters;
        Assert.Equal(4096L * 4096, KProj(mha));
        Assert.Equal(4096L * 1024, KProj(gqa));                                      // 8 KV heads × 128
        Assert.Equal(2 * (4096L * 4096 - 4096L * 1024), mha.Parameters - gqa.Parameters);
        Assert.Equal(mha.AttentionMacs, gqa.AttentionMacs);                          // every query head still does QKᵀ and AV
    }

    [Fact]
    public void Estimate_Gpt2Small_AttentionMacsAreTwoHeadsSSquaredHeadDimPerLayer()
    {
        var cost = Preset("gpt2-small", 1024);
        Assert.Equal(12L * 2 * 12 * 1024 * 1024 * 64, cost.AttentionMacs);          // 19,327,352,832
        Assert.Equal(19_327_352_832, cost.AttentionMacs);
        // Causal: S(S+1)/2 of S² scores are needed.
        Assert.Equal((long)Math.Round(19_327_352_832.0 * 1025 / 2048), cost.CausalAttentionMacs);
        Assert.InRange(cost.CausalAttentionMacs / (double)cost.AttentionMacs, 0.5, 0.501);
    }

    /// <summary>
    /// Forward FLOPs per token after Hoffmann et al. 2022 (Chinchilla), Appendix F, without its softmax and embedding
    /// terms (elementwise, 0 MACs here): 2 · (12·d² per layer + d·V) + 4·L·S·d (QKᵀ and AV).
    /// </summary>
    [Fact]
    public void Estimate_Gpt2Small_ForwardFlopsPerTokenFollowChinchillaAppendixF()
    {
        const long d = 768, v = 50257, l = 12, s = 1024;
        var cost = Preset("gpt2-small", s);
        long expected = (2 * ((12 * d * d * l) + (d * v))) + (4 * l * s * d);
        Assert.Equal(expected * s, cost.ForwardFlops);
        Assert.Equal(291_648_307_200, cost.ForwardFlops);
        Assert.Equal(3 * cost.ForwardFlops, cost.TrainingFlops);
    }

    [Fact]
    public void Estimate_MoE_PaysTopKExpertsPerToken()
    {
        var cost = Preset("mixtral-8x7b", 64);
        var down = cost.Layers.Single(r => r.Path == "blocks[0].moe.experts.down_proj");
        Assert.Equal(8L * 14336 * 4096, down.Parameters);
        Assert.Equal(2L * 14336 * 4096, down.ActiveParameters);
        Assert.Equal(2L * 64 * 14336 * 4096, down.ForwardMacs);
        Assert.True(cost.ActiveParameters < cost.Parameters);
    }

    /// <summary>Korthikanti et al. 2022, §4.1: sbh·(34 + 5as/h) bytes per layer at 16 bits = 17·sh + 2.5·as² elements (b = 1).</summary>
    [Fact]
    public void Estimate_Gpt2Small_LayerActivationsFollowKorthikanti()
    {
        const long s = 1024, h = 768, a = 12;
        var block = Preset("gpt2-small", s).Layers.Single(r => r.Path == "blocks[0]");
        Assert.True(block.IsContainer);
        Assert.Equal((17 * s * h) + (5 * a * s * s / 2), block.ActivationElements);   // 44,826,624
        Assert.Equal(44_826_624, block.ActivationElements);
    }

    /// <summary>The planner counts the same Korthikanti inventory in bytes; at 16 bits a layer must agree exactly (GQA, SwiGLU).</summary>
    [Theory]
    [InlineData("llama-3-8b")]
    [InlineData("gpt2-medium")]
    public void Estimate_LayerActivations_AgreeWithThePlannersBytesAt16Bits(string preset)
    {
        var spec = ModelPresets.Load(preset);
        var block = ModelAccounting.Account(spec, 1024).Layers.Single(r => r.Path == "blocks[0]");
        long plannerBytes = ScaleLab.Core.Planning.TransformerActivations.Compute(
            spec.Transformer!, 1024, 1, ScaleLab.Core.Planning.ParallelLayout.Single, ScaleLab.Core.Planning.ActivationRecompute.None).PerLayerBytes;
        Assert.Equal(plannerBytes, 2 * block.ActivationElements);
    }

    [Fact]
    public void Estimate_Gpt2Small_TotalActivationsAddEmbeddingMaskAndOutput()
    {
        const long s = 1024, h = 768, v = 50257;
        var cost = Preset("gpt2-small", s);
        // 12 layers + embedding dropout mask (sh/2) + final norm input (sh) + LM-head input (sh) + fp32 logits (2sv).
        Assert.Equal((12 * 44_826_624L) + (s * h / 2) + (s * h) + (s * h) + (2 * s * v), cost.ActivationElements);
    }

    [Fact]
    public void Estimate_BlockRows_AreTheSumsOfTheirChildren()
    {
        var cost = Preset("bert-base-uncased", 512);
        var containers = cost.Layers.Where(r => r.IsContainer).ToList();
        Assert.Equal(12, containers.Count);
        long leafSum = cost.Layers.Where(r => !r.IsContainer && r.Path.StartsWith("blocks[", StringComparison.Ordinal)).Sum(r => r.Parameters);
        Assert.Equal(leafSum, containers.Sum(c => c.Parameters));
        Assert.Equal(7_087_872, containers[0].Parameters);   // 4·(768² + 768) + 2·(768·3072) + 3072 + 768 + 2·2·768
        Assert.Equal(590_592, cost.Layers.Single(r => r.Path == "pooler").Parameters);
    }

    [Fact]
    public void Estimate_Qwen2StyleBias_HasQkvBiasesButNoneOnOutput()
    {
        var t = new TransformerSpec
        {
            VocabSize = 10, DModel = 64, Layers = 1, Heads = 4, KvHeads = 2, FfnSize = 128, FeedForward = FeedForwardKind.SwiGlu,
            Activation = ActivationKind.Silu, Norm = NormKind.RmsNorm, NormBias = false, Positions = PositionKind.Rotary,
            Bias = BiasKind.QkvOnly, FfnBias = false,
        };
        var rows = ModelAccounting.Account(Decoder(t), 8).Layers;
        Assert.Equal((64L * 64) + 64, rows.Single(r => r.Path == "blocks[0].attn.q_proj").Parameters);
        Assert.Equal((64L * 32) + 32, rows.Single(r => r.Path == "blocks[0].attn.k_proj").Parameters);
        Assert.Equal(64L * 64, rows.Single(r => r.Path == "blocks[0].attn.o_proj").Parameters);
        Assert.Equal(64L * 128, rows.Single(r => r.Path == "blocks[0].mlp.gate_proj").Parameters);
    }

    [Fact]
    public void Estimate_DefaultSequence_IsTheSpecContext() =>
        Assert.Equal(4096, Preset("llama-2-7b").SequenceLength);

    [Fact]
    public void Should_Reject_A_Sequence_Longer_Than_Learned_Positions() =>
        Assert.Equal("preset:gpt2-small: sequence length: 2048 tokens, but the learned position table has max_positions 1024 rows; use at most 1024",
            Assert.Throws<SpecException>(() => Preset("gpt2-small", 2048)).Message);

    [Fact]
    public void Should_Reject_A_Sequence_Whose_Counts_Overflow() =>
        Assert.Equal("preset:llama-2-7b: sequence length: 2000000000 tokens make this model's counts exceed 64 bits; use a shorter sequence",
            Assert.Throws<SpecException>(() => Preset("llama-2-7b", 2_000_000_000)).Message);
}
