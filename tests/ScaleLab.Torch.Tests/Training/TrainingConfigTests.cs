using ScaleLab.Core.Accounting;
using ScaleLab.Core.Data;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

public sealed class TrainingConfigTests
{
    [Fact]
    public void Parse_SnakeCaseKeys_FillsTheRecord()
    {
        var c = TrainingConfigJson.Parse("""{"epochs": 3, "batch_size": 128, "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true, "early_stopping_patience": 2, "data": {"name": "mnist", "limit": 500}}""", "c.json");
        Assert.Equal((3, 128, OptimizerKind.Sgd, 0.1, 0.9, true, 2), (c.Epochs, c.BatchSize, c.Optimizer, c.Lr, c.Momentum, c.Nesterov, c.EarlyStoppingPatience));
        Assert.Equal(("mnist", 500L), (c.Data.Source.Text, c.Data.Limit));
    }

    [Fact]
    public void Write_ThenParse_RoundTrips()
    {
        var c = new TrainingConfig { Epochs = 4, Schedule = ScheduleKind.OneCycle, GradClip = 1.5, Betas = [0.8, 0.9], Data = new DataConfig { Source = new TextSource("a.txt"), SequenceLength = 32 } };
        var back = TrainingConfigJson.Parse(TrainingConfigJson.Write(c), "round-trip");
        Assert.Equal(TrainingConfigJson.Write(c), TrainingConfigJson.Write(back));
        Assert.Contains("\"grad_clip\": 1.5", TrainingConfigJson.Write(c), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"cifar10\"", "c.json: not a valid training config at $.data.name: unknown data set 'cifar10': expected fashion-mnist, mnist, kmnist, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)")]
    [InlineData("\"csv:h.csv;label=a;target=b\"", "c.json: not a valid training config at $.data.name: give either label=COLUMN (classification) or target=COLUMNS (regression), not both")]
    [InlineData("null", "c.json: not a valid training config at $.data.name: is null; give a data source (fashion-mnist, mnist, kmnist, csv:PATH or text:PATH) or leave the key out")]
    public void Parse_BadDataName_NamesTheFileTheFieldAndTheValue(string name, string message)
    {
        var error = Assert.Throws<TrainingConfigException>(() => TrainingConfigJson.Parse($$$"""{"data": {"name": {{{name}}}}}""", "c.json"));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Write_DataSource_IsTheTextConfigFilesUse()
    {
        var c = new TrainingConfig { Data = new DataConfig { Source = new CsvSource("/d/h.csv", null, ["y", "z"]) } };
        Assert.Contains("\"name\": \"csv:/d/h.csv;target=y,z\"", TrainingConfigJson.Write(c), StringComparison.Ordinal);
        Assert.Equal(c.Data.Source, TrainingConfigJson.Parse(TrainingConfigJson.Write(c), "c.json").Data.Source);
    }

    [Fact]
    public void Parse_UnknownKey_IsAnErrorNamingIt()
    {
        var error = Assert.Throws<TrainingConfigException>(() => TrainingConfigJson.Parse("""{"epoch": 3}""", "c.json"));
        Assert.StartsWith("c.json: not a valid training config at $.epoch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownOptimizer_ListsTheValidOnes()
    {
        var error = Assert.Throws<TrainingConfigException>(() => TrainingConfigJson.Parse("""{"optimizer": "lion"}""", "c.json"));
        Assert.Equal("c.json: not a valid training config at $.optimizer: 'lion' is not an optimizer; use sgd, sgd_momentum, adam, adamw, adam8bit, rmsprop or rmsprop_momentum", error.Message);
    }

    [Theory]
    [InlineData("sgd_momentum", OptimizerKind.SgdMomentum)]
    [InlineData("rmsprop_momentum", OptimizerKind.RmsPropMomentum)]
    public void Parse_MomentumKinds_TakeMomentum09UnlessGiven(string name, OptimizerKind kind)
    {
        var plain = TrainingConfigJson.Parse($$"""{"optimizer": "{{name}}"}""", "c.json");
        var given = TrainingConfigJson.Parse($$"""{"optimizer": "{{name}}", "momentum": 0.5}""", "c.json");
        Assert.Equal((kind, 0.9, 0.5), (plain.Optimizer, plain.ResolvedMomentum, given.ResolvedMomentum));
    }

    [Fact]
    public void Parse_Adam8Bit_IsRefusedAsEstimateOnly()
    {
        var error = Assert.Throws<TrainingConfigException>(() => TrainingConfigJson.Parse("""{"optimizer": "adam8bit"}""", "c.json"));
        Assert.Equal("c.json: optimizer: 'adam8bit' is counted by `scalelab estimate` but not trained here (no 8-bit optimizer kernels); use sgd, sgd_momentum, adam, adamw, rmsprop, rmsprop_momentum", error.Message);
    }

    [Fact]
    public void Parse_NullOptimizer_IsRefusedByName()
    {
        var error = Assert.Throws<TrainingConfigException>(() => TrainingConfigJson.Parse("""{"optimizer": null}""", "c.json"));
        Assert.Equal("c.json: not a valid training config at $.optimizer: is null; give an optimizer name or leave the key out", error.Message);
    }

    /// <summary>Both directions of issue 9: every optimizer training runs is one the estimate names, and the JSON writes the estimate's name.</summary>
    [Fact]
    public void EveryTrainingOptimizer_RoundTripsThroughTheEstimatesNames()
    {
        foreach (var kind in TrainingConfigValidator.Optimizers)
        {
            var c = TrainingConfigJson.Parse($$"""{"optimizer": "{{kind.Name()}}"}""", "c.json");
            Assert.Equal(kind, c.Optimizer);
            Assert.Contains($"\"optimizer\": \"{kind.Name()}\"", TrainingConfigJson.Write(c), StringComparison.Ordinal);
            Assert.Contains(kind, OptimizerKindInfo.All);
        }
    }

    [Fact]
    public void Parse_NegativeLearningRate_SaysWhatIsValid()
    {
        var error = Assert.Throws<TrainingConfigException>(() => TrainingConfigJson.Parse("""{"lr": -0.1}""", "c.json"));
        Assert.Equal("c.json: lr: -0.1 is not valid; expected a positive number, e.g. 0.001", error.Message);
    }

    [Fact]
    public void Parse_NesterovWithoutMomentum_IsRefused()
    {
        var error = Assert.Throws<TrainingConfigException>(() => TrainingConfigJson.Parse("""{"optimizer": "sgd", "nesterov": true}""", "c.json"));
        Assert.Equal("c.json: nesterov: true needs momentum > 0, e.g. \"momentum\": 0.9", error.Message);
    }

    [Fact]
    public void TrajectoryHash_IgnoresEpochsAndThreadsButNotLearningRate()
    {
        var c = new TrainingConfig();
        Assert.Equal(TrainingConfigJson.TrajectoryHash(c), TrainingConfigJson.TrajectoryHash(c with { Epochs = 50, Threads = 2 }));
        Assert.NotEqual(TrainingConfigJson.TrajectoryHash(c), TrainingConfigJson.TrajectoryHash(c with { Lr = 0.01 }));
    }
}
