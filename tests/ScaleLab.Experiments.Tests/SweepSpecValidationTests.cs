using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

/// <summary>One test per way a sweep file can be wrong, each asserting the message a person sees.</summary>
public sealed class SweepSpecValidationTests
{
    private static string Error(string json) =>
        Assert.Throws<SweepException>(() => SweepExpansion.Expand(SweepSpecExpansionTests.Parse(json))).Message;

    [Fact]
    public void Should_Reject_Width_That_Rounds_A_Layer_To_Zero()
    {
        Assert.Equal(
            "sweep.json: trial 1 (width=0.0004): layers[1] (linear): 1000 × width 0.0004 = 0.4 rounds to 0; the smallest width that keeps every layer is 0.001",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"width": [1, 0.0004]}}"""));
    }

    [Fact]
    public void Should_Reject_Heads_That_Do_Not_Divide_DModel()
    {
        Assert.Equal(
            "sweep.json: trial 0 (d_model=30): heads 4 do not divide d_model 30; choose d_model a multiple of 4 or a heads count that divides 30",
            Error($$$"""{"model": {{{SweepSpecExpansionTests.TinyTransformer}}}, "axes": {"d_model": [30]}}"""));
    }

    [Fact]
    public void Should_Reject_LayerSizes_Of_The_Wrong_Length()
    {
        Assert.Equal(
            "sweep.json: trial 0 (layer_sizes=[64]): layer_sizes has 1 entries but mlp-784-1000-500-250 has 2 hidden sized layers (layers[1] (linear) 1000, layers[3] (linear) 500); give one size per hidden layer, the output layer excluded",
            Error("""{"model": "mlp-784-1000-500-250", "trials": [{"layer_sizes": [64]}]}"""));
    }

    [Fact]
    public void Should_Reject_Width_And_LayerSizes_Together()
    {
        Assert.Equal("sweep.json: trial 0 (width=2 layer_sizes=[64,32]): sets both width and layer_sizes; use one of them",
            Error("""{"model": "mlp-784-1000-500-250", "trials": [{"width": 2, "layer_sizes": [64, 32]}]}"""));
    }

    [Fact]
    public void Should_Reject_Depth_Without_A_Depth_Block()
    {
        Assert.Equal(
            "sweep.json: trial 0 (depth=2): depth needs 'depth_block': [start, end], the top-level layers to repeat (e.g. [3, 5] for a linear + relu pair)",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"depth": [2]}}"""));
    }

    [Fact]
    public void Should_Reject_A_Depth_Block_Outside_The_Layers()
    {
        Assert.Equal(
            "sweep.json: depth_block: is [4, 9]; it must be [start, end]: the half-open range of top-level layers the depth axis repeats, 0 ≤ start < end ≤ 6",
            Error("""{"model": "mlp-784-1000-500-250", "depth_block": [4, 9], "axes": {"depth": [2]}}"""));
    }

    [Fact]
    public void Should_Reject_Transformer_Axes_On_A_Layer_Stack()
    {
        Assert.Equal("sweep.json: trial 0 (d_model=64): d_model is for transformers; for a layer stack use width or layer_sizes",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"d_model": [64]}}"""));
    }

    [Fact]
    public void Should_Reject_A_Token_Budget_For_A_Classifier()
    {
        Assert.Equal(
            "sweep.json: trial 0 (token_budget=1000): token_budget is for language models (tokens = steps × batch_size × sequence_length); use data_fraction or steps_per_epoch",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"token_budget": [1000]}}"""));
    }

    [Fact]
    public void Should_Reject_Trials_That_Resolve_To_The_Same_Config()
    {
        string message = Error("""{"model": "mlp-784-1000-500-250", "trials": [{"width": 1}, {"lr": 0.002}, {"lr": 0.001}]}""");
        Assert.StartsWith("sweep.json: trial 2 (lr=0.001) is the same as trial 0 (width=1): both resolve to the same model and training config (id ", message);
    }

    [Fact]
    public void Should_Reject_Repeats_With_A_Seed_Axis()
    {
        Assert.Equal("sweep.json: repeats: 2 repeats and a seed axis both set seeds; use one of them",
            Error("""{"model": "mlp-784-1000-500-250", "repeats": 2, "axes": {"seed": [0, 1]}}"""));
    }

    [Fact]
    public void Should_Reject_A_Trial_Whose_Training_Config_Is_Invalid()
    {
        Assert.Equal("sweep.json: trial 1 (lr=0.001): training: min_lr: 0.01 is not valid; expected between 0 and lr",
            Error("""{"model": "mlp-784-1000-500-250", "training": {"lr": 0.1, "min_lr": 0.01}, "axes": {"lr": [0.1, 0.001]}}"""));
    }

    [Fact]
    public void Should_Reject_A_Zero_Batch_Size_In_A_Trial()
    {
        Assert.Equal("sweep.json: trials[0].batch_size: is 0; it must be an integer from 1 to 1048576",
            Error("""{"model": "mlp-784-1000-500-250", "trials": [{"batch_size": 0}]}"""));
    }

    [Fact]
    public void Should_Reject_A_Zero_Width_Value()
    {
        Assert.Equal("sweep.json: axes.width[1]: is 0; it must be a positive number of at most 1000",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"width": [1, 0]}}"""));
    }

    [Fact]
    public void Should_Reject_An_Unknown_Axis()
    {
        Assert.Equal(
            "sweep.json: axes.widht: unknown axis; axes are width, layer_sizes, depth, d_model, ffn_size, heads, data_fraction, token_budget, epochs, steps_per_epoch, lr, batch_size, seed",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"widht": [1]}}"""));
    }

    [Fact]
    public void Should_Reject_An_Unknown_Field()
    {
        Assert.Equal(
            "sweep.json: axis: unknown field; a sweep file has name, description, model, training, axes, trials, repeats, depth_block, early_stopping, max_attempts",
            Error("""{"model": "mlp-784-1000-500-250", "axis": {"width": [1]}}"""));
    }

    [Fact]
    public void Should_Reject_Both_Axes_And_Trials()
    {
        Assert.Equal("sweep.json: top level: has both 'axes' and 'trials'; give a grid (axes) or an explicit list (trials), not both",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"width": [1]}, "trials": [{"width": 2}]}"""));
    }

    [Fact]
    public void Should_Reject_Neither_Axes_Nor_Trials()
    {
        Assert.Equal("sweep.json: top level: has neither 'axes' (a grid, e.g. {\"width\": [0.5, 1, 2]}) nor 'trials' (a list of axis settings)",
            Error("""{"model": "mlp-784-1000-500-250"}"""));
    }

    [Fact]
    public void Should_Reject_A_Model_That_Is_Neither_Preset_Nor_File()
    {
        Assert.StartsWith("sweep.json: model: 'no-such-model' is neither a preset (",
            Error("""{"model": "no-such-model", "axes": {"width": [1]}}"""));
    }

    [Fact]
    public void Should_Reject_A_Model_Inside_Training()
    {
        Assert.Equal("sweep.json: training.model: leave it out; the sweep's 'model' names the model",
            Error("""{"model": "mlp-784-1000-500-250", "training": {"model": "lenet-5"}, "axes": {"width": [1]}}"""));
    }

    [Fact]
    public void Should_Reject_An_Unknown_Early_Stopping_Rule()
    {
        Assert.Equal("sweep.json: early_stopping.rule: is 'hyperband'; it must be median or halving",
            Error("""{"model": "mlp-784-1000-500-250", "early_stopping": {"rule": "hyperband"}, "axes": {"width": [1]}}"""));
    }

    [Fact]
    public void Should_Reject_Invalid_Json_With_Its_Line()
    {
        Assert.StartsWith("sweep.json: not valid JSON (line 2): ", Error("{\"model\": \"x\",\n  \"axes\": }"));
    }
    [Fact]
    public void Should_Reject_A_Depth_Block_On_A_Transformer()
    {
        Assert.Equal("sweep.json: depth_block: is for layer stacks; a transformer's depth axis sets its layers",
            Error($$$"""{"model": {{{SweepSpecExpansionTests.TinyTransformer}}}, "depth_block": [0, 1], "axes": {"depth": [2]}}"""));
    }

    [Fact]
    public void Should_Reject_An_Empty_Axis()
    {
        Assert.Equal("sweep.json: axes.lr: is []; it must be a non-empty list of values, each a positive number of at most 100",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"lr": []}}"""));
    }

    [Fact]
    public void Should_Reject_A_Trial_That_Is_Not_An_Object()
    {
        Assert.Equal("sweep.json: trials[1]: is 0.5; it must be an object of axis → value, e.g. {\"width\": 0.5}",
            Error("""{"model": "mlp-784-1000-500-250", "trials": [{"width": 1}, 0.5]}"""));
    }

    [Fact]
    public void Should_Reject_A_Token_Budget_With_Steps_Per_Epoch()
    {
        Assert.Equal(
            "sweep.json: trial 0 (token_budget=5000 steps_per_epoch=10): sets both token_budget and steps_per_epoch; the budget decides the steps, use one of them",
            Error($$$"""{"model": {{{SweepSpecExpansionTests.TinyTransformer}}}, "trials": [{"token_budget": 5000, "steps_per_epoch": 10}]}"""));
    }

    [Fact]
    public void Should_Reject_An_Unknown_Early_Stopping_Field()
    {
        Assert.Equal("sweep.json: early_stopping.patience: unknown field; early_stopping has rule, min_trials, warmup_epochs, min_epochs, reduction_factor",
            Error("""{"model": "mlp-784-1000-500-250", "early_stopping": {"rule": "median", "patience": 2}, "axes": {"width": [1]}}"""));
    }

    [Fact]
    public void Should_Reject_Repeats_Out_Of_Range()
    {
        Assert.Equal("sweep.json: repeats: is 0; it must be an integer from 1 to 1000",
            Error("""{"model": "mlp-784-1000-500-250", "repeats": 0, "axes": {"width": [1]}}"""));
    }

    [Fact]
    public void Should_Reject_A_Missing_Sweep_File()
    {
        var error = Assert.Throws<SweepException>(() => SweepSpecJson.Load("/nonexistent/sweep.json"));
        Assert.Equal("/nonexistent/sweep.json: no such sweep file", error.Message);
    }
}
