using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
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
        return t with
        {
            VocabSize = 101,
            DModel = 32,
            Layers = 2,
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
