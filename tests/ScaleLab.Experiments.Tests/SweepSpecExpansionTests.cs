using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

public sealed class SweepSpecExpansionTests
{
    internal const string TinyTransformer = """
        {"name": "tiny-gpt", "context": 64, "transformer": {"vocab_size": 65, "d_model": 32, "layers": 1, "heads": 4,
         "ffn_size": 128, "max_positions": 64, "tied_embeddings": true}}
        """;

    internal static SweepSpec Parse(string json) => SweepSpecJson.Parse(json, "sweep.json", "/base");

    [Fact]
    public void Expand_SeedMlpWidthByLr_GivesSixTrialsWidthOuterWithExactParameters()
    {
        var plans = SweepExpansion.Expand(Parse("""
            {"name": "w", "model": "mlp-784-1000-500-250", "axes": {"width": [0.5, 1, 2], "lr": [0.001, 0.01]}}
            """));

        Assert.Equal(["width=0.5 lr=0.001", "width=0.5 lr=0.01", "width=1 lr=0.001", "width=1 lr=0.01", "width=2 lr=0.001", "width=2 lr=0.01"],
            plans.Select(p => p.Label));
        Assert.Equal([580_500L, 580_500, 1_410_750, 1_410_750, 3_821_250, 3_821_250], plans.Select(p => p.EstimatedParameters));
        Assert.Equal([500L, 250, 250], plans[0].Spec.Layers.OfType<LinearLayer>().Select(l => l.Units));
        Assert.Equal(0.01, plans[1].Config.Lr);
        Assert.Equal(2L * ((784 * 1000) + (1000 * 500) + (500 * 250)), plans[2].ForwardFlopsPerSample);   // 1 MAC = 2 FLOPs
        Assert.Equal("{\"width\":0.5,\"lr\":0.001}", plans[0].AxesJson);
    }

    [Fact]
    public void Expand_SameSweepTwice_GivesTheSameTwelveHexIds()
    {
        const string json = """{"model": "mlp-784-1000-500-250", "axes": {"width": [0.25, 1]}}""";
        var first = SweepExpansion.Expand(Parse(json));
        var second = SweepExpansion.Expand(Parse(json));

        Assert.Equal(first.Select(p => p.Id), second.Select(p => p.Id));
        Assert.All(first, p => Assert.Matches("^[0-9a-f]{12}$", p.Id));
        Assert.NotEqual(first[0].Id, first[1].Id);
    }

    [Fact]
    public void Expand_DepthThree_RepeatsTheMarkedBlock()
    {
        var plan = SweepExpansion.Expand(Parse("""
            {"model": "mlp-784-1000-500-250", "depth_block": [3, 5], "axes": {"depth": [3]}}
            """)).Single();

        Assert.Equal([1000L, 500, 500, 500, 250], plan.Spec.Layers.OfType<LinearLayer>().Select(l => l.Units));
        Assert.Equal(785_000L + 500_500 + (2 * 250_500) + 125_250, plan.EstimatedParameters);
    }

    [Fact]
    public void Expand_LayerSizes_SetsHiddenLayersAndKeepsTheOutput()
    {
        var plan = SweepExpansion.Expand(Parse("""
            {"model": "mlp-784-1000-500-250", "trials": [{"layer_sizes": [64, 32]}]}
            """)).Single();

        Assert.Equal([64L, 32, 250], plan.Spec.Layers.OfType<LinearLayer>().Select(l => l.Units));
        Assert.Equal((784 * 64) + 64 + (64 * 32) + 32 + (32 * 250) + 250, plan.EstimatedParameters);
    }

    [Fact]
    public void Expand_TransformerDModel_KeepsFfnRatioAndSetsLayers()
    {
        var plans = SweepExpansion.Expand(Parse($$$"""
            {"model": {{{TinyTransformer}}}, "training": {"data": {"name": "text:corpus.txt", "sequence_length": 64}},
             "axes": {"d_model": [32, 64], "depth": [1, 2]}}
            """));

        Assert.Equal([(32L, 128L, 1), (32, 128, 2), (64, 256, 1), (64, 256, 2)],
            plans.Select(p => (p.Spec.Transformer!.DModel, p.Spec.Transformer.FfnSize, p.Spec.Transformer.Layers)));
        // GPT-2 layout, tied head: wte 65·32 + wpe 64·32 + block (2·2d + 3d²+3d + d²+d + d·f+f + f·d+d) + final norm 2d.
        Assert.Equal(4128L + 12_704 + 64, plans[0].EstimatedParameters);
        Assert.Equal("text:" + Path.GetFullPath("corpus.txt", "/base"), plans[0].Config.Data.Source.Text);
    }

    [Fact]
    public void Expand_Repeats_AddsConsecutiveSeeds()
    {
        var plans = SweepExpansion.Expand(Parse("""
            {"model": "mlp-784-1000-500-250", "training": {"seed": 7}, "repeats": 3, "trials": [{"width": 0.5}]}
            """));

        Assert.Equal(["width=0.5 seed=7", "width=0.5 seed=8", "width=0.5 seed=9"], plans.Select(p => p.Label));
        Assert.Equal([7, 8, 9], plans.Select(p => p.Config.Seed));
    }

    [Fact]
    public void Expand_TrainingAxes_SetTheirConfigFields()
    {
        var plan = SweepExpansion.Expand(Parse("""
            {"model": "mlp-784-1000-500-250", "trials": [{"data_fraction": 0.25, "epochs": 3, "steps_per_epoch": 40, "batch_size": 32, "seed": 4}]}
            """)).Single();

        Assert.Equal((0.25, 3, 40L, 32, 4), (plan.Config.Data.TrainFraction, plan.Config.Epochs, plan.Config.MaxStepsPerEpoch!.Value, plan.Config.BatchSize, plan.Config.Seed));
    }

    [Fact]
    public void Expand_TokenBudget_CapsStepsPerEpoch()
    {
        var plan = SweepExpansion.Expand(Parse($$$"""
            {"model": {{{TinyTransformer}}}, "training": {"batch_size": 8, "epochs": 2, "data": {"name": "text:c.txt", "sequence_length": 64}},
             "trials": [{"token_budget": 51200}]}
            """)).Single();

        Assert.Equal(50L, plan.Config.MaxStepsPerEpoch);   // 51,200 tokens / (8 × 64 tokens per step × 2 epochs)
    }
}
