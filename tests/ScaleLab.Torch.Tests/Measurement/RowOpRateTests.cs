using System.Diagnostics;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Torch.Measurement;
using TorchSharp;
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
        const int rows = MachineCalibration.RowOpRows / 4;
        using var x = randn(rows, 2).requires_grad_(true);
        var (ratio, overBytes) = Check(RowOps.Softmax, 2, rows, bytesPerRow: 16, () => x.softmax(-1));   // a row reads 2 floats and writes 2

        // libtorch's CPU softmax vectorises across the reduced dimension; over 2 values it runs a row at a time: 52 ns a
        // row on the build machine, where its 16 bytes move in a fraction of a nanosecond (medians of 343–494× in six
        // runs, three of them beside a `dd` and a busy loop).
        Assert.True(overBytes > 8, $"softmax over 2 values: {overBytes:F1}× its bytes' time; expected far more");
        // Timed here on 1,024 rows back to back (calibrate: 4,096 after an eviction pass), the kernel launch included:
        // within 0.5–2× of rate × rows (medians 0.62–0.73 in the same six runs, 0.81–0.92 in three earlier ones).
        Assert.InRange(ratio, 0.5, 2.0);
    }

    [Fact]
    public void BatchNormInTraining_CostsManyTimesItsBytes_AndTheRatePredictsAResNetLayerOfAQuarterTheValues()
    {
        using var threads = TorchThreads.Use(1);
        // The suite's resnet-stack at batch 16: 16 channels of 32×32, 256 (sample, channel) rows of 1,024 values.
        using var x = randn(16, 16, 32, 32).requires_grad_(true);
        using var norm = nn.BatchNorm2d(16);
        norm.train();
        var (ratio, overBytes) = Check(RowOps.BatchNorm, 1024, 16 * 16, bytesPerRow: 8 * 1024, () => norm.call(x));   // reads x, writes y

        // A few ns a value forward, where reading and writing it takes a tenth of that or less: 18.7–29.7× in the six runs
        // (ratio 0.80–1.05).
        Assert.True(overBytes > 5, $"batch norm over 32×32 planes: {overBytes:F1}× its bytes' time; expected far more");
        Assert.InRange(ratio, 0.5, 2.0);
    }

    /// <summary>
    /// Three rounds, the rate and the check taken in turn (see AttentionRateTests: other test assemblies run beside): the
    /// median of the kernel's forward over <paramref name="rows"/> rows against rate × rows, and the rate against what
    /// a pass over contiguous memory takes for the row's bytes: an in-place add over 1 MiB (median of 15), which reads
    /// and writes what batch norm does at this size, from the same cache level. An out-of-place add over 4 MiB, the
    /// reference before, took 3× longer a byte with no page fault (the fresh output block's write-allocate), so batch
    /// norm read only 5–11× its bytes' time; with two `dd` loops beside it, 3.9× in one round, as in the two full runs
    /// that failed here. The in-place add gave 25–38× in the same rounds, whatever the allocator's settings.
    /// </summary>
    private static (double Ratio, double OverBytes) Check(string op, long width, long rows, double bytesPerRow, Func<Tensor> kernel)
    {
        using var bandwidth = ones(1L << 18);
        var ratios = new List<double>();
        var overBytes = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            var rate = MachineCalibration.RowOpRate(CPU, AttentionRateTests.Profile(), op, width);
            var times = new List<double>();
            for (int i = 0; i < 40; i++)
            {
                using var scope = NewDisposeScope();
                long t0 = Stopwatch.GetTimestamp();
                kernel();
                if (i >= 10) times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            times.Sort();
            ratios.Add(times[times.Count / 2] / (rows * rate.ForwardSecondsPerRow));

            var adds = new List<double>();
            for (int i = 0; i < 20; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                bandwidth.add_(Scalars.One, Scalars.One);
                if (i >= 5) adds.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            adds.Sort();
            double secondsPerByte = adds[adds.Count / 2] / (8.0 * bandwidth.numel());
            overBytes.Add(rate.ForwardSecondsPerRow / (bytesPerRow * secondsPerByte));
        }
        ratios.Sort();
        overBytes.Sort();
        return (ratios[1], overBytes[1]);
    }
}
