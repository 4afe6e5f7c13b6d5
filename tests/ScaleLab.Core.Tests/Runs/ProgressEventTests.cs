using ScaleLab.Core.Runs;

namespace ScaleLab.Core.Tests.Runs;

/// <summary>The trial protocol: one progress event per line, written and read by the same type.</summary>
public sealed class ProgressEventTests
{
    [Fact]
    public void Step_RoundTripsThroughItsLine()
    {
        var step = new ProgressEvent.Step(new StepProgress(2, 3, 7, 10, 17, 0.625, 1e-3, 1280, 0.35));
        string line = step.ToLine();
        Assert.StartsWith("""{"event":"step","epoch":2,"epochs":3,"step":7,""", line, StringComparison.Ordinal);
        Assert.Equal(step, ProgressEvent.Parse(line, "test"));
    }

    [Fact]
    public void Epoch_WithoutValidation_RoundTrips()
    {
        var epoch = new ProgressEvent.Epoch(new EpochMetrics(1, 10, 0.9, null, null, null, 1e-3, 1.5, 640));
        Assert.Equal(epoch, ProgressEvent.Parse(epoch.ToLine(), "test"));
    }

    [Fact]
    public void Done_CarriesTheSummary()
    {
        var done = ProgressEvent.Parse("""{"event":"done","status":"early_stopped","epochs_completed":4,"steps":40,"parameters":100,"samples_seen":2560}""", "test");
        var summary = Assert.IsType<ProgressEvent.Done>(done).Payload;
        Assert.Equal((RunStatus.EarlyStopped, 4, 2560L), (summary.Status, summary.EpochsCompleted, summary.SamplesSeen!.Value));
    }

    [Theory]
    [InlineData("epoch 1/3  loss 0.9000")]
    [InlineData("warning: something")]
    [InlineData("""{"no_event": 1}""")]
    [InlineData("{torn")]
    public void Parse_LineThatIsNotAnEvent_IsNull(string line) => Assert.Null(ProgressEvent.Parse(line, "test"));

    [Fact]
    public void Parse_StepWithoutItsLoss_IsAProtocolErrorNotZero()
    {
        var ex = Assert.Throws<ScaleLabException>(() => ProgressEvent.Parse(
            """{"event":"step","epoch":1,"epochs":3,"step":7,"steps_per_epoch":10,"global_step":7,"learning_rate":0.001,"samples_per_second":1,"epoch_elapsed_seconds":1}""", "trial abc"));
        Assert.Equal("trial abc: progress event 'step': field 'loss' is missing", ex.Message);
    }

    [Fact]
    public void Parse_UnknownKind_IsAProtocolError()
    {
        var ex = Assert.Throws<ScaleLabException>(() => ProgressEvent.Parse("""{"event":"tick"}""", "trial abc"));
        Assert.Equal("trial abc: progress event 'tick': unknown event; expected start, step, epoch or done", ex.Message);
    }
}
