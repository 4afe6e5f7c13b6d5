using System.Text.Json;
using ScaleLab.Experiments.Sweeps;
using ScaleLab.Torch.Data;

namespace ScaleLab.Experiments.Tests;

/// <summary>The study's sweep is a record built in code; written as a sweep file it reads back as the same trials.</summary>
public sealed class StudySweepTests
{
    /// <summary>
    /// The sweep file `scalelab study` was built from before it became a record: the record must plan the same trials
    /// (the same ids), so a study directory made by an older scalelab resumes instead of starting over.
    /// </summary>
    private static string Reference(bool quick)
    {
        string data = Path.Combine(DataDirectory.EmbeddedRoot, "fashion-mnist");
        string widths = quick ? "0.03125, 0.0625, 0.125, 0.25, 0.5" : "0.03125, 0.0625, 0.125, 0.25, 0.5, 1";
        string name = quick ? "study-quick" : "study";
        string epochs = quick ? "1" : "2";
        string limit = quick ? ", \"limit\": 2000" : "";
        return "{\"name\": \"" + name + "\", \"description\": \"scalelab study: seed MLP width sweep on the embedded Fashion-MNIST subset\", "
            + """
              "model": {"name": "mlp-784-1000-500-250-10", "description": "The seed MLP (784-1000-500-250, ReLU) with a 10-class output layer",
                "input": [1, 28, 28], "layers": [{"type": "flatten"}, {"type": "linear", "units": 1000}, {"type": "relu"},
                {"type": "linear", "units": 500}, {"type": "relu"}, {"type": "linear", "units": 250}, {"type": "relu"}, {"type": "linear", "units": 10}]},
              """
            + "\"training\": {\"epochs\": " + epochs + ", \"batch_size\": 64, \"optimizer\": \"adam\", \"lr\": 0.001, \"seed\": 0, "
            + "\"data\": {\"name\": \"fashion-mnist\", \"directory\": " + JsonSerializer.Serialize(data) + ", \"validation_fraction\": 0.1" + limit + "}}, "
            + "\"axes\": {\"width\": [" + widths + "]}}";
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Create_PlansTheTrialsOfTheStudysSweepFile(bool quick)
    {
        var fromFile = SweepExpansion.Expand(SweepSpecJson.Parse(Reference(quick), "reference", Environment.CurrentDirectory));
        var fromRecord = SweepExpansion.Expand(StudySweep.Create(quick));
        Assert.Equal(fromFile.Select(p => (p.Id, p.EstimatedParameters)), fromRecord.Select(p => (p.Id, p.EstimatedParameters)));
    }

    [Fact]
    public void Write_ThenParse_GivesTheSameTrials()
    {
        var sweep = StudySweep.Create(quick: false);
        var parsed = SweepSpecJson.Parse(sweep.Json, "written", Environment.CurrentDirectory);
        Assert.Equal(SweepExpansion.Expand(sweep).Select(p => p.Id), SweepExpansion.Expand(parsed).Select(p => p.Id));
        Assert.Equal((sweep.Name, sweep.Description, sweep.MaxAttempts), (parsed.Name, parsed.Description, parsed.MaxAttempts));
    }

    [Fact]
    public void Write_KeepsEarlyStoppingAndRepeats()
    {
        var sweep = StudySweep.Create(quick: true) with
        {
            Repeats = 2,
            EarlyStopping = new Running.EarlyStoppingOptions(Running.EarlyStoppingRule.Halving, MinTrials: 4, ReductionFactor: 2),
        };
        var parsed = SweepSpecJson.Parse(SweepSpecJsonWriter.Write(sweep), "written", Environment.CurrentDirectory);
        Assert.Equal((2, sweep.EarlyStopping), (parsed.Repeats, parsed.EarlyStopping));
        Assert.Equal(10, SweepExpansion.Expand(parsed).Count);
    }

    [Theory]
    [InlineData(false, 2, 2)]    // the 2-core build machine: two one-thread trials at a time
    [InlineData(false, 1, 1)]    // one core: one at a time
    [InlineData(false, 0, 1)]    // never fewer than one
    [InlineData(false, 16, 6)]   // never more than the six widths
    [InlineData(true, 16, 5)]    // --quick has five
    public void DefaultWorkers_OnePerCore_AtMostOnePerTrial(bool quick, int cores, int expected) =>
        Assert.Equal(expected, StudySweep.DefaultWorkers(quick, cores));
}
