using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Verification;
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

    /// <summary>
    /// The speed taken beside every batch's steps: against a profile whose speed-probe GEMMs took twice what they take
    /// here now (a profile measured in a spell half as fast), the machine reads about 2× its profile's speed and each
    /// prediction is the profile's halved. The bounds allow the host's drift between the profile's probe and the steps'
    /// (on the shared build VM 0.65–1.23× within half a minute; docs/verify.md, "Drift").
    /// </summary>
    [Fact]
    public void Run_WithAProfile_PricesEachBatchAtTheSpeedMeasuredBesideItsSteps()
    {
        long[] axis = [1, 256, 1024, 4096];
        var grid = (from m in axis from n in axis from k in axis select new GemmPoint(m, n, k, 2.0 * m * n * k / 50e9)).ToArray();
        var synthetic = new MachineProfile("cpu", "fp32", 1, grid, [new BandwidthPoint(1 << 10, 5e9), new BandwidthPoint(1 << 20, 10e9)],
            1e9, 1e-6, 2e-6, "2026-12-03T00:00:00Z", "synthetic", MaxPoolingSecondsPerElement: 4e-9, AveragePoolingSecondsPerElement: 3e-9);
        using var threads = TorchThreads.Use(1);
        var now = MachineCalibration.RetimeGemms(synthetic);
        var halfAsFast = synthetic with
        {
            Gemms = [.. grid.Select(g => now.FirstOrDefault(p => (p.M, p.N, p.K) == (g.M, g.N, g.K)) is { } p ? p with { Seconds = 2 * p.Seconds } : g)],
        };
        Assert.Equal(2.0, halfAsFast.GemmSpeed(now)!.Value, 12);

        var r = SpecVerifier.Run(ModelPresets.Load("pytorch-10-100-1"), new VerifyOptions([4, 8, 16], Steps: 2, Repeats: 2, WarmupSteps: 1, Profile: halfAsFast));
        Assert.All(r.Batches, b =>
        {
            Assert.True(b.MachineSpeed is > 1.4 and < 2.8, $"batch {b.Batch}: {b.MachineSpeed}× the profile's speed");
            Assert.Equal(b.Time!.Seconds / b.MachineSpeed!.Value, b.PredictedSeconds!.Value, 15);
            Assert.Equal(VerifyTolerance.Error(b.PredictedSeconds.Value, b.MeasuredSeconds), b.TimeError!.Value, 15);
        });
    }

    [Fact]
    public void PairedSpeed_JudgesEachRepeatAtItsOwnSpeed()
    {
        // Three repeats of a 10 ms step: at 1.0× 10 ms, in a slow spell (0.5×) 20 ms, at 1.0× 10.4 ms. At the profile's
        // speed they are 10, 10 and 10.4 ms: median 10 over a median step of 10.4 → 0.96×, where the median speed says 1.0×.
        Assert.Equal(10.0 / 10.4, SpecVerifier.PairedSpeed([0.010, 0.020, 0.0104], [1.0, 0.5, 1.0])!.Value, 12);
        // A speed that held still is itself.
        Assert.Equal(0.8, SpecVerifier.PairedSpeed([0.010, 0.011, 0.012], [0.8, 0.8, 0.8])!.Value, 12);
        // A repeat without a probe: the median of the measured speeds; none measured: null.
        Assert.Equal(0.9, SpecVerifier.PairedSpeed([0.010, 0.020, 0.030], [0.8, double.NaN, 1.0])!.Value, 12);
        Assert.Null(SpecVerifier.PairedSpeed([0.010, 0.020], [double.NaN, double.NaN]));
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
