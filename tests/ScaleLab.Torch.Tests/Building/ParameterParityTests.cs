using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Building;

/// <summary>
/// The estimator against real modules: for every preset the built module's parameter count equals
/// ModelAccounting's exactly, and its buffers (batch-norm running mean/var and num_batches_tracked) equal the
/// estimated buffers. Transformers are built as scaled-down copies with the same structure (kinds, norms, positions,
/// biases, GQA ratio, explicit head_dim, experts and top-k, BERT parts), so every formula meets a real module.
/// </summary>
public sealed class ParameterParityTests
{
    /// <summary>Layer stacks up to this size are built as they are (ResNet-50 is 25.6 M).</summary>
    private const long MaxInstantiatedParameters = 30_000_000;

    public static TheoryData<string> Presets()
    {
        var data = new TheoryData<string>();
        foreach (string name in ModelPresets.Names) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Build_Preset_HasExactlyTheEstimatedParametersAndBuffers(string preset)
    {
        var spec = ModelPresets.Load(preset);
        if (spec.Transformer is { } t) spec = spec with { Transformer = ScaledDown(t), Input = null };
        var cost = ModelAccounting.Account(spec);
        Assert.True(cost.Parameters <= MaxInstantiatedParameters, $"{preset} has {cost.Parameters} parameters; scale it down to test it");

        using var model = ModuleBuilder.Build(spec);
        long parameters = model.parameters().Sum(p => p.numel());
        long buffers = model.named_buffers().Sum(b => b.buffer.numel());
        Assert.Equal(cost.Parameters, parameters);
        Assert.Equal(cost.Buffers, buffers);
    }

    /// <summary>Every transformer preset's scaled-down copy runs forward: causal masks, windows, sinks, MLA, shared experts.</summary>
    [Theory]
    [MemberData(nameof(Presets))]
    public void Build_TransformerPreset_RunsForwardToFiniteOutputs(string preset)
    {
        var spec = ModelPresets.Load(preset);
        if (spec.Transformer is not { } t) return;
        spec = spec with { Transformer = ScaledDown(t), Input = null };
        using var model = ModuleBuilder.Build(spec);
        using var scope = NewDisposeScope();
        var tokens = randint(0, 101, [2, 7], generator: new TorchSharp.torch.Generator(7));
        var output = ((TorchSharp.torch.nn.Module<Tensor, Tensor>)model).call(tokens);
        long width = spec.Transformer!.LmHead ? 101 : spec.Transformer.DModel;
        Assert.Equal(width, output.shape[^1]);
        Assert.True(output.isfinite().all().item<bool>(), $"{preset}: non-finite output");
    }

    [Fact]
    public void MaskedAttention_SlidingWindowOfTheWholeSequence_EqualsCausalAttention()
    {
        using var scope = NewDisposeScope();
        var g = new TorchSharp.torch.Generator(3);
        var q = randn([1, 2, 6, 4], generator: g);
        var k = randn([1, 2, 6, 4], generator: g);
        var v = randn([1, 2, 6, 4], generator: g);
        var window = new LocalAttention(LocalAttentionKind.Sliding, 6, LayerSet.Of([0]));
        var expected = TorchSharp.torch.nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        Assert.True(MaskedAttention.Apply(q, k, v, true, window, null).allclose(expected, 1e-5, 1e-6));
        // A window of 1: each query sees itself only, so the output is V.
        var self = new LocalAttention(LocalAttentionKind.Sliding, 1, LayerSet.Of([0]));
        Assert.True(MaskedAttention.Apply(q, k, v, true, self, null).allclose(v, 1e-5, 1e-6));
        // A sink of −∞ takes no probability: the same as no sink.
        using var minusInfinity = double.NegativeInfinity.ToScalar();
        var noSink = full([2], minusInfinity);
        Assert.True(MaskedAttention.Apply(q, k, v, true, null, noSink).allclose(expected, 1e-5, 1e-6));
    }

    [Fact]
    public void ScaledDown_KeepsTheGroupedQueryRatioAndExplicitHeadDim()
    {
        var t = new TransformerSpec { VocabSize = 32000, DModel = 4096, Layers = 32, Heads = 32, KvHeads = 8, HeadDim = 128, FfnSize = 14336, Experts = 8, TopK = 2 };
        var small = ScaledDown(t);
        Assert.Equal((4, 1, 12L, 2, 4, 2), (small.Heads, small.EffectiveKvHeads, small.EffectiveHeadDim, small.Layers, small.Experts, small.TopK));
        Assert.NotEqual(small.DModel, small.Heads * small.EffectiveHeadDim);
    }

    /// <summary>
    /// Same structure, small sizes: 4 query heads keeping the Heads/KvHeads ratio where it fits (MHA stays MHA, GQA stays
    /// grouped, MQA keeps one K/V head), head_dim 12 when the original sets it explicitly (so it differs from d/heads as in
    /// Gemma), otherwise d/heads = 8; at most 4 experts with top-k kept below that.
    /// </summary>
    internal static TransformerSpec ScaledDown(TransformerSpec t)
    {
        const int heads = 4;
        int ratio = Math.Max(1, t.Heads / t.EffectiveKvHeads);
        int kvHeads = Math.Max(1, heads / Math.Min(ratio, heads));
        int experts = t.IsMixtureOfExperts ? Math.Min(t.Experts, 4) : t.Experts;
        // Per-layer patterns keep their shape in four layers: a dense first layer, local layers 0 and 2.
        bool patterned = t.DenseLayers is not null || t.Local is not null;
        return t with
        {
            VocabSize = 101,
            DModel = 32,
            Layers = patterned ? 4 : 2,
            DenseLayers = t.DenseLayers is null ? null : LayerSet.Of([0]),
            Local = t.Local is null ? null : t.Local with { Window = 3, Layers = LayerSet.Of([0, 2]) },
            Latent = t.Latent is null ? null : new LatentAttention(t.Latent.QueryRank is null ? null : 10, 8, 4, 4, 6),
            ExpertFfnSize = t.ExpertFfnSize is null ? null : 24,
            Heads = heads,
            KvHeads = t.KvHeads is null ? null : kvHeads,
            HeadDim = t.HeadDim is null ? null : 12,
            FfnSize = 40,
            MaxPositions = 16,
            Experts = experts,
            TopK = Math.Min(t.TopK, Math.Max(1, experts - 2)),
        };
    }
}
