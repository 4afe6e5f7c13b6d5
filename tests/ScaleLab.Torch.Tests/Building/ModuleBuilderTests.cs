using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Building;

/// <summary>Shapes, names and counts of built modules, checked against hand-computed values.</summary>
public sealed class ModuleBuilderTests
{
    private static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());

    private static ModelSpec Stack(Shape input, params LayerSpec[] layers) => new() { Name = "test", Input = input, Layers = layers };

    [Fact]
    public void Build_SeedMlp_Has1441000ParametersAndTenLogits()
    {
        // 784·1000+1000 + 1000·500+500 + 500·250+250 + 250·10+10
        var spec = Stack(Shape.Of(1, 28, 28), new FlattenLayer(), new LinearLayer(1000), new ActivationLayer(ActivationKind.Relu),
            new LinearLayer(500), new ActivationLayer(ActivationKind.Relu), new LinearLayer(250), new ActivationLayer(ActivationKind.Relu), new LinearLayer(10));
        using var model = ModuleBuilder.Build(spec);
        using var y = model.call(zeros(3, 1, 28, 28));
        Assert.Equal(785_000 + 500_500 + 125_250 + 2_510, Count(model));
        Assert.Equal([3L, 10L], y.shape);
        Assert.Equal(["layers.1.weight", "layers.1.bias", "layers.3.weight", "layers.3.bias", "layers.5.weight", "layers.5.bias", "layers.7.weight", "layers.7.bias"],
            model.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void Build_SamePaddingWithStride2_GivesCeilOfHalfLikeKeras()
    {
        var conv = new ConvLayer(2, 8, [3, 3], [2, 2], PaddingMode.Same, [0, 0], [1, 1]);
        var spec = Stack(Shape.Of(3, 7, 7), conv);
        using var model = ModuleBuilder.Build(spec);
        using var y = model.call(ones(2, 3, 7, 7));
        Assert.Equal([2L, 8L, 4L, 4L], y.shape);
        Assert.Equal(8 * 3 * 9 + 8, Count(model));
    }

    [Fact]
    public void Build_DilatedGroupedConv1d_ValidPadding_HasTorchShape()
    {
        var conv = new ConvLayer(1, 6, [3], [1], PaddingMode.Valid, [0], [2], Groups: 2, Bias: false);
        using var model = ModuleBuilder.Build(Stack(Shape.Of(4, 20), conv, new BatchNormLayer(1), new AdaptiveAvgPoolLayer(1, [1], Global: true)));
        using var y = model.call(ones(2, 4, 20));
        Assert.Equal([2L, 6L, 1L], y.shape);
        Assert.Equal(6 * 2 * 3 + 2 * 6, Count(model));
        Assert.Equal(2 * 6, model.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal)).Sum(b => b.buffer.numel()));
    }

    [Fact]
    public void Build_BidirectionalLstmWithoutSequences_ReturnsLastHiddenOfBothDirections()
    {
        var spec = new ModelSpec
        {
            Name = "lstm", Input = Shape.Of(12), InputIsTokens = true,
            Layers = [new EmbeddingLayer(50, 8), new RecurrentLayer(RecurrentKind.Lstm, 16, NumLayers: 2, Bidirectional: true, ReturnSequences: false), new LinearLayer(3)],
        };
        using var model = ModuleBuilder.Build(spec);
        using var y = model.call(randint(0, 50, [5, 12]));
        Assert.Equal([5L, 3L], y.shape);
        // embedding 50·8; LSTM per layer and direction 4H(In + H) + 8H; layer 2 reads 2H; head 32·3+3.
        long lstm = 2 * (64 * (8 + 16) + 128) + 2 * (64 * (32 + 16) + 128);
        Assert.Equal(400 + lstm + 99, Count(model));
    }

    [Fact]
    public void Build_GroupedQueryAttentionLayer_ProjectsKeysToKvHeads()
    {
        var spec = Stack(Shape.Of(6, 32), new AttentionLayer(Heads: 4, KvHeads: 2, Causal: true));
        using var model = ModuleBuilder.Build(spec);
        using var y = model.call(randn(2, 6, 32));
        Assert.Equal([2L, 6L, 32L], y.shape);
        Assert.Equal(2 * (32 * 32 + 32) + 2 * (32 * 16 + 16), Count(model));
    }

    [Fact]
    public void Build_CausalAttention_OutputAtPositionZeroIgnoresLaterTokens()
    {
        var spec = Stack(Shape.Of(5, 16), new AttentionLayer(Heads: 2, Causal: true));
        using var model = ModuleBuilder.Build(spec);
        using var x = randn(1, 5, 16);
        using var changed = x.clone();
        changed[0, 4] = randn(16);
        using var a = model.call(x);
        using var b = model.call(changed);
        Assert.True(a[0, 0].allclose(b[0, 0]));
        Assert.False(a[0, 4].allclose(b[0, 4]));
    }

    [Fact]
    public void Build_ResidualWithProjection_AddsShortcut()
    {
        var body = new LayerSpec[] { new ConvLayer(2, 8, [3, 3], [2, 2], PaddingMode.Explicit, [1, 1], [1, 1]), new BatchNormLayer(2) };
        var projection = new LayerSpec[] { new ConvLayer(2, 8, [1, 1], [2, 2], PaddingMode.Valid, [0, 0], [1, 1], Bias: false) };
        using var model = ModuleBuilder.Build(Stack(Shape.Of(4, 8, 8), new ResidualLayer(body, projection)));
        using var y = model.call(randn(2, 4, 8, 8));
        Assert.Equal([2L, 8L, 4L, 4L], y.shape);
        Assert.Contains("layers.0.projection.0.weight", model.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void Build_LinearOnWrongRank_NamesLayerAndShape()
    {
        var spec = Stack(Shape.Of(784), new ConvLayer(2, 8, [3, 3], [1, 1], PaddingMode.Valid, [0, 0], [1, 1])) with { Source = "bad.json" };
        var error = Assert.Throws<SpecException>(() => ModuleBuilder.Build(spec));
        Assert.Equal("bad.json: layers[0] (conv2d): expects a (C, H, W) input per sample, got 784", error.Message);
    }

    [Fact]
    public void Build_TiedDecoder_SharesEmbeddingAndCountsItOnce()
    {
        var t = new TransformerSpec { VocabSize = 100, DModel = 32, Layers = 2, Heads = 4, FfnSize = 64, MaxPositions = 16, TiedEmbeddings = true };
        using var model = ModuleBuilder.Build(new ModelSpec { Name = "tiny", Transformer = t, Task = TaskKind.LanguageModel });
        using var logits = model.call(randint(0, 100, [2, 10]));
        Assert.Equal([2L, 10L, 100L], logits.shape);
        // GPT-2 layout: wte + wpe + per block (2 LN + attn 4(D²+D) + MLP 2DF+F+D) + final LN.
        long block = 2 * 64 + 4 * (32 * 32 + 32) + (2 * 32 * 64 + 64 + 32);
        Assert.Equal(100 * 32 + 16 * 32 + 2 * block + 64, Count(model));
        Assert.DoesNotContain(model.named_parameters(), p => p.name.StartsWith("lm_head", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_MixtralStyleDecoder_RoutesTopTwoOfFourExperts()
    {
        var t = new TransformerSpec
        {
            VocabSize = 64, DModel = 16, Layers = 1, Heads = 4, KvHeads = 2, FfnSize = 24, FeedForward = FeedForwardKind.SwiGlu,
            Norm = NormKind.RmsNorm, Positions = PositionKind.Rotary, Bias = BiasKind.None, Experts = 4, TopK = 2,
        };
        using var model = ModuleBuilder.Build(new ModelSpec { Name = "moe", Transformer = t, Task = TaskKind.LanguageModel });
        using var logits = model.call(randint(0, 64, [2, 7]));
        Assert.Equal([2L, 7L, 64L], logits.shape);
        long attention = 16 * 16 * 2 + 16 * 8 * 2;
        long experts = 4 * 3 * 16 * 24 + 16 * 4;
        Assert.Equal(64 * 16 * 2 + attention + experts + 3 * 16, Count(model));
    }

    [Fact]
    public void Build_BertStyleEncoder_PoolsFirstToken()
    {
        var t = new TransformerSpec
        {
            Kind = TransformerKind.Encoder, VocabSize = 50, DModel = 16, Layers = 1, Heads = 2, FfnSize = 32, MaxPositions = 8,
            TypeVocabSize = 2, Pooler = true, EmbeddingNorm = true, FinalNorm = false, Placement = NormPlacement.Post, LmHead = false, NormEpsilon = 1e-12,
        };
        using var model = ModuleBuilder.Build(new ModelSpec { Name = "bert", Transformer = t });
        using var pooled = model.call(randint(0, 50, [3, 8]));
        Assert.Equal([3L, 16L], pooled.shape);
        Assert.True(pooled.abs().max().item<float>() <= 1f);
    }
}
