using ScaleLab.Core;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

/// <summary>Schedule, device and loss are types with one name map each: configs keep their names, unknown names say what is valid.</summary>
public sealed class TrainingChoicesTests
{
    [Fact]
    public void Config_WritesTheSameNamesAsBefore()
    {
        string json = TrainingConfigJson.Write(new TrainingConfig { Schedule = ScheduleKind.OneCycle, Device = ComputeDevice.Cpu, Loss = LossChoice.CrossEntropy });
        Assert.Contains("\"schedule\": \"onecycle\"", json, StringComparison.Ordinal);
        Assert.Contains("\"device\": \"cpu\"", json, StringComparison.Ordinal);
        Assert.Contains("\"loss\": \"cross_entropy\"", json, StringComparison.Ordinal);
        Assert.Equal((ScheduleKind.OneCycle, LossChoice.CrossEntropy), (TrainingConfigJson.Parse(json, "t").Schedule, TrainingConfigJson.Parse(json, "t").Loss));
    }

    [Theory]
    [InlineData("{\"schedule\": \"linear\"}", "c.json: not a valid training config at $.schedule: 'linear' is not one of none, step, cosine, onecycle")]
    [InlineData("{\"device\": \"tpu\"}", "c.json: not a valid training config at $.device: 'tpu' is not one of cpu, cuda")]
    [InlineData("{\"loss\": null}", "c.json: not a valid training config at $.loss: is null; give a loss or leave the key out")]
    public void Config_UnknownOrNullChoice_NamesTheFieldAndTheValidNames(string json, string message)
    {
        var ex = Assert.Throws<TrainingConfigException>(() => TrainingConfigJson.Parse(json, "c.json"));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void CommandLine_UnknownSchedule_SaysWhatIsValid()
    {
        var ex = Assert.Throws<ScaleLabException>(() => TrainingChoices.ParseSchedule("warm", "--schedule"));
        Assert.Equal("--schedule: 'warm' is not one of none, step, cosine, onecycle", ex.Message);
    }

    [Fact]
    public void EveryMember_HasAName()
    {
        foreach (var v in Enum.GetValues<ScheduleKind>()) Assert.Equal(v, TrainingChoices.ParseSchedule(v.Name(), "s"));
        foreach (var v in Enum.GetValues<ComputeDevice>()) Assert.Equal(v, TrainingChoices.ParseDevice(v.Name(), "d"));
        foreach (var v in Enum.GetValues<LossChoice>()) Assert.Equal(v, TrainingChoices.ParseLoss(v.Name(), "l"));
    }
}
