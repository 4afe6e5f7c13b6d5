using ScaleLab.Core.Data;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

/// <summary>The bundled sweeps under examples/sweeps load, expand and span what their comments say.</summary>
public sealed class ExampleSweepsTests
{
    private static string Example(string name, [System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "examples", "sweeps", name));

    [Fact]
    public void MlpWidth_HasSixSizesSpanning56TimesInParameters()
    {
        var plans = SweepExpansion.Expand(SweepSpecJson.Load(Example("mlp-width.json")));

        Assert.Equal([25_073L, 52_121, 108_367, 236_203, 550_385, 1_413_260], plans.Select(p => p.EstimatedParameters));
        Assert.True(plans[^1].EstimatedParameters >= 30 * plans[0].EstimatedParameters);
        Assert.Equal([31L, 16, 8, 10], plans[0].Spec.Layers.OfType<Core.Spec.LinearLayer>().Select(l => l.Units));
    }

    [Fact]
    public void CnnWidth_HasFiveSizesAndTheMedianRule()
    {
        var sweep = SweepSpecJson.Load(Example("cnn-width.json"));
        var plans = SweepExpansion.Expand(sweep);

        Assert.Equal(5, plans.Count);
        // Width 1 is the Keras model itself (93,322).
        Assert.Equal([6_058L, 23_626, 93_322, 209_098, 370_954], plans.Select(p => p.EstimatedParameters));
        Assert.Equal(Running.EarlyStoppingRule.Median, sweep.EarlyStopping!.Rule);
    }

    [Fact]
    public void CharTransformer_IsANineTrialGridOverDModelAndLayersOnTheBundledText()
    {
        var plans = SweepExpansion.Expand(SweepSpecJson.Load(Example("char-transformer.json")));

        Assert.Equal(9, plans.Count);
        Assert.Equal([(32L, 1), (32, 2), (32, 4), (64, 1), (64, 2), (64, 4), (128, 1), (128, 2), (128, 4)],
            plans.Select(p => (p.Spec.Transformer!.DModel, p.Spec.Transformer.Layers)));
        Assert.All(plans, p => Assert.Equal(4 * p.Spec.Transformer!.DModel, p.Spec.Transformer.FfnSize));
        Assert.Equal((17_184L, 811_008L), (plans[0].EstimatedParameters, plans[^1].EstimatedParameters));
        Assert.Equal("text:" + Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Example("x"))!, "..", "data", "alice.txt")), plans[0].Config.Data.Source.Text);
        Assert.True(File.Exists(((TextSource)plans[0].Config.Data.Source).Path));
    }
}
