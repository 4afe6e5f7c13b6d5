using System.Diagnostics;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Torch.Measurement;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Measurement;

/// <summary>Calibrate's row-wise kernel rates (MachineCalibration.RowOpRate) on this machine, one thread.</summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class RowOpRateTests
{
    [Fact]
    public void SoftmaxOverTwoValues_CostsManyTimesItsBytes_AndTheRatePredictsItAtAQuarterOfTheRows()
    {
        using var threads = TorchThreads.Use(1);
        using var bandwidth = ones(1L << 20);
        const int rows = MachineCalibration.RowOpRows / 4;
        using var x = randn(rows, 2).requires_grad_(true);
        // Three rounds, the rate and the check taken in turn (see AttentionRateTests: other test assemblies run beside).
        var ratios = new List<double>();
        var overBytes = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            var rate = MachineCalibration.RowOpRate(CPU, AttentionRateTests.Profile(), RowOps.Softmax, 2);
            var times = new List<double>();
            for (int i = 0; i < 40; i++)
            {
                using var scope = NewDisposeScope();
                long t0 = Stopwatch.GetTimestamp();
                x.softmax(-1);
                if (i >= 10) times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            times.Sort();
            ratios.Add(times[times.Count / 2] / (rows * rate.ForwardSecondsPerRow));

            // What a pass over contiguous memory takes per byte here (an out-of-place add over 4 MiB, median of 15).
            var adds = new List<double>();
            for (int i = 0; i < 20; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                (bandwidth + 1).Dispose();
                if (i >= 5) adds.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            adds.Sort();
            double secondsPerByte = adds[adds.Count / 2] / (8.0 * bandwidth.numel());
            overBytes.Add(rate.ForwardSecondsPerRow / (16 * secondsPerByte));   // a row reads 2 floats and writes 2
        }
        ratios.Sort();
        overBytes.Sort();

        // libtorch's CPU softmax vectorises across the reduced dimension; over 2 values it runs a row at a time: 52 ns a
        // row on the build machine, where its 16 bytes move in a fraction of a nanosecond (medians of 238–250× in three runs).
        Assert.True(overBytes[1] > 8, $"softmax over 2 values: {overBytes[1]:F1}× its bytes' time; expected far more");
        // Timed here on 1,024 rows back to back (calibrate: 4,096 after an eviction pass), the kernel launch included:
        // within 0.5–2× of rate × rows (medians 0.81–0.92 in three runs on the build machine).
        Assert.InRange(ratios[1], 0.5, 2.0);
    }
}
