using ScaleLab.Core.Presets;
using ScaleLab.Torch.Measurement;

namespace ScaleLab.Torch.Tests.Measurement;

/// <summary>
/// SpecVerifier's bookkeeping, in-process. The memory closed loop itself is tested through the command in its own
/// process (tests/ScaleLab.Cli.Tests, VerifyCommandTests): a test host's heap, reused from earlier tests, hides frees.
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class SpecVerifierTests
{
    [Fact]
    public void Run_WithoutAProfile_MeasuresEveryBatchAndPredictsNoTime()
    {
        var r = SpecVerifier.Run(ModelPresets.Load("pytorch-10-100-1"), new VerifyOptions([4, 8, 16], Steps: 2, Repeats: 2, WarmupSteps: 1));
        Assert.Equal(1_201, r.MeasuredParameters);
        Assert.True(r.ParametersMatch);
        Assert.Equal([4, 8, 16], r.Batches.Select(b => b.Batch));
        Assert.All(r.Batches, b => Assert.Null(b.Time));
        // A 1,201-parameter model's tensors are below the 16 KiB mmap threshold: its step is under the RSS's resolution,
        // and what is measured is page-level noise around zero (±a few pages).
        Assert.All(r.Batches, b => Assert.True(b.MeasuredSeconds > 0 && Math.Abs(b.MeasuredBytes) < (1L << 20), $"batch {b.Batch}: {b.MeasuredBytes} B"));
        Assert.Null(r.TimeWithin);
        Assert.Equal((2, 2), (r.Conditions.Repeats, r.Conditions.Steps));
        Assert.True(r.Conditions.PeakReset && r.Conditions.AllocatorPinned);
    }

    [Fact]
    public void RunAll_KeepsTheOrderOfItsModels()
    {
        var options = new VerifyOptions([2, 4], Steps: 1, Repeats: 1, WarmupSteps: 1);
        var results = SpecVerifier.RunAll([(ModelPresets.Load("pytorch-10-100-1"), options), (ModelPresets.Load("lenet-300-100"), options)]);
        Assert.Equal(["pytorch-10-100-1", "lenet-300-100"], results.Select(r => r.Model));
        Assert.Equal(266_610, results[1].MeasuredParameters);
    }
}
