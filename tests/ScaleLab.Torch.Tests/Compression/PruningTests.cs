using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Compression;

[Collection(ScaleLab.Torch.Tests.Training.SerialTorchCollection.Name)]
public sealed class PruningTests
{
    private static ModelSpec Mlp(params long[] hidden) => Mlp(10, hidden);

    private static ModelSpec Mlp(long outputs, long[] hidden)
    {
        var layers = new List<LayerSpec> { new FlattenLayer() };
        foreach (var h in hidden) { layers.Add(new LinearLayer(h)); layers.Add(new ActivationLayer(ActivationKind.Relu)); }
        layers.Add(new LinearLayer(outputs));
        return new ModelSpec { Name = "mlp", Input = Shape.Of(1, 8, 8), Layers = layers, Source = "test" };
    }

    private static ModelSpec SmallCnn() => new()
    {
        Name = "cnn",
        Source = "test",
        Input = Shape.Of(1, 8, 8),
        Layers =
        [
            new ConvLayer(2, 6, [3, 3], [1, 1], PaddingMode.Same, [0, 0], [1, 1]),
            new BatchNormLayer(2),
            new ActivationLayer(ActivationKind.Relu),
            new PoolLayer(PoolKind.Max, 2, [2, 2], [2, 2], [0, 0]),
            new FlattenLayer(),
            new LinearLayer(12),
            new ActivationLayer(ActivationKind.Relu),
            new LinearLayer(10),
        ],
    };

    [Fact]
    public void Magnitude_PerLayer_PrunesExactlyTheRequestedFractionOfEachWeightMatrix()
    {
        manual_seed(1);
        var model = ModuleBuilder.Build(Mlp(40, 20));
        var masks = MagnitudePruning.ComputeMasks(model, 0.9, PruningScope.PerLayer);
        MagnitudePruning.ApplyMasks(model, masks);

        Assert.Equal(["layers.1.weight", "layers.3.weight", "layers.5.weight"], MagnitudePruning.PrunableParameters(model));
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal((long)Math.Floor(0.9 * 64 * 40), weights["layers.1.weight"].eq(Scalars.Zero).sum().item<long>());
        Assert.Equal((long)Math.Floor(0.9 * 40 * 20), weights["layers.3.weight"].eq(Scalars.Zero).sum().item<long>());
        Assert.Equal(0, weights["layers.1.bias"].eq(Scalars.Zero).sum().item<long>()); // biases stay dense
    }

    [Fact]
    public void Magnitude_Global_KeepsTheLargestWeightsAcrossLayers()
    {
        manual_seed(2);
        var model = ModuleBuilder.Build(Mlp(40));
        using (no_grad()) model.named_parameters().First(p => p.name == "layers.3.weight").parameter.abs_().add_(Scalars.One, Scalars.One);
        var masks = MagnitudePruning.ComputeMasks(model, 0.5, PruningScope.Global);
        MagnitudePruning.ApplyMasks(model, masks);

        // The second layer, all of whose |w| ≥ 1, (400 weights) survives whole; the first (2560) loses 1480 = half of all 2960.
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(0, weights["layers.3.weight"].eq(Scalars.Zero).sum().item<long>());
        Assert.Equal(1480, weights["layers.1.weight"].eq(Scalars.Zero).sum().item<long>());
        Assert.Equal(0.5, MagnitudePruning.MeasuredSparsity(model), 3);
    }

    [Fact]
    public void GradualSchedule_FollowsZhuAndGuptasCubic()
    {
        var schedule = new GradualPruningSchedule(0, 0.9, 100, 1100);
        Assert.Equal(0, schedule.SparsityAt(50));
        Assert.Equal(0.9 - 0.9 * Math.Pow(0.5, 3), schedule.SparsityAt(600), 12);
        Assert.Equal(0.9, schedule.SparsityAt(5000));
    }

    [Fact]
    public void Structured_RemovesTheWeakestNeurons_AndKeepsTheOutputWhenTheyWereDead()
    {
        // Given an MLP whose hidden neurons 0..19 of 40 are dead (zero rows)
        manual_seed(3);
        var spec = Mlp(40);
        var model = ModuleBuilder.Build(spec);
        using (no_grad())
        {
            var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
            p["layers.1.weight"].narrow(0, 0, 20).zero_();
            using var minusOne = (-1).ToScalar();
            p["layers.1.bias"].narrow(0, 0, 20).fill_(minusOne); // relu(−1) = 0: they contribute nothing
        }
        using var x = rand(5, 1, 8, 8);
        using var before = model.call(x);

        // When half of the neurons are pruned by norm
        var pruned = StructuredPruning.Prune(spec, model, 0.5);
        var small = ModuleBuilder.Build(pruned.Spec);
        small.load_state_dict(pruned.State.ToDictionary(kv => kv.Key, kv => kv.Value));
        using var after = small.call(x);

        // Then the layer is physically 20 wide and the outputs are unchanged
        Assert.Equal(20, ((LinearLayer)pruned.Spec.Layers[1]).Units);
        Assert.Equal(64 * 20 + 20 + 20 * 10 + 10, small.parameters().Sum(t => t.numel()));
        Assert.True(before.allclose(after, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Structured_PrunesConvFilters_WithTheirBatchNormAndTheColumnsThatReadThem()
    {
        manual_seed(4);
        var spec = SmallCnn();
        var model = ModuleBuilder.Build(spec);
        model.eval();
        var pruned = StructuredPruning.Prune(spec, model, 0.5);
        var small = ModuleBuilder.Build(pruned.Spec);
        small.load_state_dict(pruned.State.ToDictionary(kv => kv.Key, kv => kv.Value));

        Assert.Equal(3, ((ConvLayer)pruned.Spec.Layers[0]).Filters);
        Assert.Equal(6, ((LinearLayer)pruned.Spec.Layers[5]).Units);
        var shapes = small.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal([3L], shapes["layers.1.running_mean"]);
        Assert.Equal([6L, 3 * 4 * 4], shapes["layers.5.weight"]);
    }

    [Fact]
    public void Structured_RejectsResidualBlocks_NamingTheLayer()
    {
        var spec = new ModelSpec
        {
            Name = "res",
            Source = "res.json",
            Input = Shape.Of(8),
            Layers = [new LinearLayer(8), new ResidualLayer([new LinearLayer(8)]), new LinearLayer(2)],
        };
        var model = ModuleBuilder.Build(spec);
        var ex = Assert.Throws<ScaleLab.Core.ScaleLabException>(() => StructuredPruning.Prune(spec, model, 0.5));
        Assert.StartsWith("res.json: layers[1] (residual): structured pruning supports", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LowRank_ExactlyReproducesAMatrixOfThatRank_AndSkipsLayersItWouldNotShrink()
    {
        // Given a 64→40 layer whose weight has rank 4, then a 40→2 output layer
        manual_seed(5);
        var spec = Mlp(2, [40]);
        var model = ModuleBuilder.Build(spec);
        using (no_grad())
        {
            var w = model.named_parameters().First(p => p.name == "layers.1.weight").parameter;
            using var a = randn(40, 4);
            using var b = randn(4, 64);
            using var tenth = 0.1.ToScalar();
            w.copy_(a.matmul(b).mul(tenth));
        }
        using var x = rand(3, 1, 8, 8);
        using var before = model.call(x);

        // When factorised at rank 4: 4·(64+40) = 416 < 2560 shrinks; the output layer (4·42 = 168 ≥ 80) does not
        var low = LowRankFactorization.Factorize(spec, model, rank: 4, energy: null);
        var small = ModuleBuilder.Build(low.Spec);
        small.load_state_dict(low.State.ToDictionary(kv => kv.Key, kv => kv.Value));
        using var after = small.call(x);

        // Then the first layer became 64→4 (no bias) → 4→40, the rest is untouched, and the outputs agree
        Assert.Equal(spec.Layers.Count + 1, low.Spec.Layers.Count);
        Assert.Equal(new LinearLayer(4, Bias: false) { Name = "layers[1].v" }, low.Spec.Layers[1]);
        Assert.Equal(40, ((LinearLayer)low.Spec.Layers[2]).Units);
        Assert.Equal("low-rank: layers[1] rank 4", low.Description);
        Assert.True(before.allclose(after, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void LowRank_ByEnergy_ChoosesTheSmallestSufficientRank()
    {
        manual_seed(6);
        var spec = Mlp(2, [40]);
        var model = ModuleBuilder.Build(spec);
        using (no_grad())
        {
            var w = model.named_parameters().First(p => p.name == "layers.1.weight").parameter;
            using var a = randn(40, 3);
            using var b = randn(3, 64);
            w.copy_(a.matmul(b));
        }
        var low = LowRankFactorization.Factorize(spec, model, rank: null, energy: 0.999999);
        Assert.Equal(3, ((LinearLayer)low.Spec.Layers[1]).Units);
    }

    [Fact]
    public void Masks_ComputedInsideATrainingStepsScope_OutliveIt()
    {
        // Gradual pruning recomputes masks inside a step's DisposeScope and applies them in later steps.
        manual_seed(7);
        var model = ModuleBuilder.Build(Mlp(16));
        Dictionary<string, Tensor> masks;
        using (NewDisposeScope()) masks = MagnitudePruning.ComputeMasks(model, 0.5, PruningScope.PerLayer);
        MagnitudePruning.ApplyMasks(model, masks);
        Assert.Equal(0.5, MagnitudePruning.MeasuredSparsity(model), 2);
    }

    [Fact]
    public void StaticActivationQuantization_CalibratesEveryLinearAndConvInput_AndRoundsThemToUint8()
    {
        // Given the small CNN and inputs in [0, 1)
        manual_seed(8);
        var model = ModuleBuilder.Build(SmallCnn());
        using var inputs = rand(64, 1, 8, 8);
        using var data = new ScaleLab.Torch.Data.TensorDataSet(inputs.alias(), zeros(64, dtype: ScalarType.Int64), "calibration");

        // When calibrated: the conv sees the raw input, the two linears the pooled / hidden activations
        var ranges = StaticActivationQuantization.Calibrate(model, data, samples: 64, batchSize: 16, CPU);
        Assert.Equal(["layers.0", "layers.5", "layers.7"], ranges.Keys.Order().ToArray());
        Assert.Equal(0, ranges["layers.0"].Zero);
        Assert.InRange(ranges["layers.0"].Scale, 0.99f / 255, 1f / 255);

        // Then with the hooks the outputs move by at most a few quantization steps, and without them not at all
        model.eval();
        using var before = model.call(inputs);
        using (StaticActivationQuantization.Apply(model, ranges))
        {
            using var quantized = model.call(inputs);
            Assert.False(before.eq(quantized).all().item<bool>());
            Assert.True(before.allclose(quantized, rtol: 0, atol: 0.05));
        }
        using var after = model.call(inputs);
        Assert.True(before.eq(after).all().item<bool>());
    }
}
