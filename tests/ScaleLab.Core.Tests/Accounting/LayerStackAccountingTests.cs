using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;
using ScaleLab.Core.Tests.Spec;
using static ScaleLab.Core.Tests.Spec.SpecTestJson;

namespace ScaleLab.Core.Tests.Accounting;

/// <summary>
/// Exact counts for the bundled layer stacks (issue 2's acceptance figures) and for single layers, the latter
/// checked against PyTorch 1.13: sum(p.numel() for p in module.parameters()) printed beside each test.
/// </summary>
public class LayerStackAccountingTests
{
    private static ModelCost Preset(string name) => ModelAccounting.Account(ModelPresets.Load(name));

    private static ModelCost Stack(string input, params string[] layers) => ModelAccounting.Account(Parse(SpecTestJson.Stack(input, layers)));

    [Fact]
    public void Estimate_SeedMlp_Has1410750Parameters()
    {
        var cost = Preset("mlp-784-1000-500-250");
        Assert.Equal(1_410_750, cost.Parameters);
        Assert.Equal(1_409_000, cost.ForwardMacs);     // 784·1000 + 1000·500 + 500·250
        Assert.Equal(2_818_000, cost.ForwardFlops);
        Assert.Equal(0, cost.Buffers);
        Assert.Equal(cost.Parameters, cost.ActiveParameters);
    }

    [Fact]
    public void Estimate_KerasMnistCnn_Has93322Parameters() => Assert.Equal(93_322, Preset("keras-mnist-cnn").Parameters);

    [Fact]
    public void Estimate_LeNet300100_Has266610Parameters() => Assert.Equal(266_610, Preset("lenet-300-100").Parameters);

    [Fact]
    public void Estimate_LeNet5_Has61706Parameters() => Assert.Equal(61_706, Preset("lenet-5").Parameters);

    [Fact]
    public void Estimate_PyTorch101001_Has1201Parameters() => Assert.Equal(1_201, Preset("pytorch-10-100-1").Parameters);

    [Fact]
    public void Estimate_ResNet18_Has11689512ParametersAnd1Point81GMacs()
    {
        var cost = Preset("resnet-18");
        Assert.Equal(11_689_512, cost.Parameters);
        Assert.InRange(cost.ForwardMacs / 1.81e9, 0.99, 1.01);
        Assert.Equal("1000", cost.Layers[^1].OutputShape.ToString());
    }

    [Fact]
    public void Estimate_ResNet50_Has25557032ParametersAnd4Point09GMacs()
    {
        var cost = Preset("resnet-50");
        Assert.Equal(25_557_032, cost.Parameters);
        Assert.InRange(cost.ForwardMacs / 4.09e9, 0.99, 1.01);
    }

    [Fact]
    public void Estimate_ResNet18_ContainerRowsSumTheirChildrenAndTotalsSumLeaves()
    {
        var cost = Preset("resnet-18");
        var containers = cost.Layers.Where(l => l.IsContainer).ToList();
        Assert.Equal(8, containers.Count);
        Assert.Equal("layer2.0", containers[2].Name);
        var children = cost.Layers.Where(l => l.Path.StartsWith(containers[2].Path + ".", StringComparison.Ordinal)).ToList();
        Assert.Equal(containers[2].Parameters, children.Sum(c => c.Parameters));
        Assert.All(children, c => Assert.Equal(1, c.Depth));
        Assert.Equal(cost.Parameters, cost.Layers.Where(l => !l.IsContainer).Sum(l => l.Parameters));
        Assert.Equal(cost.ForwardMacs, cost.Layers.Where(l => !l.IsContainer).Sum(l => l.ForwardMacs));
    }

    [Fact]
    public void Estimate_KerasMnistCnn_FirstConvCostsOutputElementsTimesKernel() =>
        Assert.Equal(26 * 26 * 32 * 9, Preset("keras-mnist-cnn").Layers[0].ForwardMacs);

    [Fact]
    public void Estimate_SeedMlp_KeepsLinearAndActivationInputsForBackward() =>
        // flatten is a view (0); linear inputs 784, 1000, 500; ReLU inputs 1000, 500.
        Assert.Equal(3_784, Preset("mlp-784-1000-500-250").ActivationElements);

    [Fact]
    public void BatchNorm2d_HasWeightAndBiasAsParametersAndRunningStatsAsBuffers()
    {
        // nn.BatchNorm2d(64): 128 parameters; buffers running_mean, running_var (64 each) + num_batches_tracked (1) = 129.
        var cost = Stack("[64, 4, 4]", """{"type": "batchnorm2d"}""");
        Assert.Equal(128, cost.Parameters);
        Assert.Equal(129, cost.Buffers);
    }

    [Fact]
    public void Lstm_TwoLayersBidirectional_MatchesPyTorch()
    {
        // nn.LSTM(32, 64, num_layers=2, bidirectional=True): 149,504 parameters.
        var cost = Stack("[10, 32]", """{"type": "lstm", "hidden": 64, "num_layers": 2, "bidirectional": true}""");
        Assert.Equal(149_504, cost.Parameters);
        // Per step and direction G·H·(In + H): layer 0 4·64·(32+64), layer 1 4·64·(128+64); ×2 directions ×10 steps.
        Assert.Equal(10L * 2 * (4 * 64 * 96 + 4 * 64 * 192), cost.ForwardMacs);
    }

    [Fact]
    public void Gru_MatchesPyTorch() =>
        // nn.GRU(16, 32): 4,800 parameters.
        Assert.Equal(4_800, Stack("[5, 16]", """{"type": "gru", "hidden": 32}""").Parameters);

    [Fact]
    public void Rnn_WithoutBias_MatchesPyTorch() =>
        // nn.RNN(16, 32, bias=False): 1,536 parameters.
        Assert.Equal(1_536, Stack("[5, 16]", """{"type": "rnn", "hidden": 32, "bias": false}""").Parameters);

    [Fact]
    public void Attention_MatchesMultiheadAttentionAndCountsScoreMatmuls()
    {
        // nn.MultiheadAttention(64, 4): 16,640 parameters.
        var cost = Stack("[8, 64]", """{"type": "attention", "heads": 4}""");
        Assert.Equal(16_640, cost.Parameters);
        Assert.Equal(2L * 8 * 8 * 64, cost.AttentionMacs);                    // QKᵀ + AV: 2·S²·E
        Assert.Equal(8L * 4 * 64 * 64 + 2L * 8 * 8 * 64, cost.ForwardMacs);   // four projections + scores
        Assert.Equal(8, cost.SequenceLength);
    }

    [Fact]
    public void Attention_GroupedQuery_ShrinksKAndV()
    {
        // E = 64, 8 heads of 8, 2 KV heads: K and V project to 16, not 64.
        var cost = Stack("[8, 64]", """{"type": "attention", "heads": 8, "kv_heads": 2, "bias": false}""");
        Assert.Equal(64L * 64 * 2 + 2L * 64 * 16, cost.Parameters);
    }

    [Fact]
    public void Attention_Causal_CountsAboutHalfTheScoreMacs()
    {
        var cost = Stack("[8, 64]", """{"type": "attention", "heads": 4, "causal": true}""");
        Assert.Equal(8192 * 9 / 16, cost.CausalAttentionMacs);   // (S+1)/(2S) of the full S×S figure
    }

    [Fact]
    public void Conv2d_Grouped_MatchesPyTorch() =>
        // nn.Conv2d(32, 64, 3, groups=4): 4,672 parameters.
        Assert.Equal(4_672, Stack("[32, 8, 8]", """{"type": "conv2d", "filters": 64, "kernel": 3, "groups": 4}""").Parameters);

    [Fact]
    public void LayerNorm_HasWeightAndBias_RmsNormOnlyWeight()
    {
        Assert.Equal(128, Stack("[4, 64]", """{"type": "layernorm"}""").Parameters);   // nn.LayerNorm(64)
        Assert.Equal(64, Stack("[4, 64]", """{"type": "rmsnorm"}""").Parameters);
    }

    [Fact]
    public void Embedding_CountsItsTableAndNoMacs()
    {
        var cost = ModelAccounting.Account(Parse("""{"name": "t", "input": [16], "input_tokens": true, "layers": [{"type": "embedding", "vocab": 1000, "dim": 64}]}"""));
        Assert.Equal(64_000, cost.Parameters);
        Assert.Equal(0, cost.ForwardMacs);
    }

    [Fact]
    public void SequenceLength_OverridesTheTokensOfASequenceModel()
    {
        var spec = Parse("""{"name": "t", "input": [16], "input_tokens": true, "layers": [{"type": "embedding", "vocab": 100, "dim": 8}, {"type": "linear", "units": 4}]}""");
        var cost = ModelAccounting.Account(spec, 32);
        Assert.Equal(32, cost.SequenceLength);
        Assert.Equal("32x4", cost.Layers[^1].OutputShape.ToString());
        Assert.Equal(32L * 8 * 4, cost.ForwardMacs);
    }

    [Fact]
    public void SequenceLength_IsIgnoredForAnImageModel() =>
        Assert.Equal(1, ModelAccounting.Account(ModelPresets.Load("lenet-5"), 512).SequenceLength);

    [Fact]
    public void Should_Reject_A_Sequence_Length_Below_One() =>
        Assert.Equal("preset:lenet-5: sequence length: 0 tokens; it must be at least 1",
            Assert.Throws<SpecException>(() => ModelAccounting.Account(ModelPresets.Load("lenet-5"), 0)).Message);
}
