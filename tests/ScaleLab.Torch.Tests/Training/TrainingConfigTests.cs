using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

public sealed class TrainingConfigTests
{
    [Fact]
    public void Parse_SnakeCaseKeys_FillsTheRecord()
    {
        var c = TrainingConfigJson.Parse("""{"epochs": 3, "batch_size": 128, "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true, "early_stopping_patience": 2, "data": {"name": "mnist", "limit": 500}}""", "c.json");
        Assert.Equal((3, 128, "sgd", 0.1, 0.9, true, 2), (c.Epochs, c.BatchSize, c.Optimizer, c.Lr, c.Momentum, c.Nesterov, c.EarlyStoppingPatience));
        Assert.Equal(("mnist", 500L), (c.Data.Name, c.Data.Limit));
    }

    [Fact]
    public void Write_ThenParse_RoundTrips()
    {
        var c = new TrainingConfig { Epochs = 4, Schedule = "onecycle", GradClip = 1.5, Betas = [0.8, 0.9], Data = new DataConfig { Name = "text:a.txt", SequenceLength = 32 } };
        var back = TrainingConfigJson.Parse(TrainingConfigJson.Write(c), "round-trip");
        Assert.Equal(TrainingConfigJson.Write(c), TrainingConfigJson.Write(back));
        Assert.Contains("\"grad_clip\": 1.5", TrainingConfigJson.Write(c), StringComparison.Ordinal);
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
        Assert.Equal("c.json: optimizer: 'lion' is not one of sgd, adam, adamw, rmsprop", error.Message);
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
