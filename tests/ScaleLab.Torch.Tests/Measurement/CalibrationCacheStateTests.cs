using System.Globalization;
using ScaleLab.Torch.Measurement;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Measurement;

/// <summary>The cache state calibrate times kernels in (docs/verify.md, "The cache state").</summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class CalibrationCacheStateTests
{
    [Fact]
    public void EvictionBytes_IsHalfTheLastLevelCacheLinuxReports()
    {
        string? file = new[] { "index3", "index2" }.Select(i => $"/sys/devices/system/cpu/cpu0/cache/{i}/size").FirstOrDefault(File.Exists);
        long cache = 32L << 20;
        if (file is not null)
        {
            string text = File.ReadAllText(file).Trim();   // e.g. "32768K"
            Assert.EndsWith("K", text, StringComparison.Ordinal);
            cache = long.Parse(text[..^1], CultureInfo.InvariantCulture) * 1024;
        }
        Assert.Equal(cache / 2, MachineCalibration.EvictionBytes);
    }

    [Fact]
    public void WarmMedian_PreparesEveryTimedCallAfterTheEvictionAndReturnsTheMedianCall()
    {
        int prepared = 0, called = 0;
        using var x = ones(256, 256);
        double seconds = MachineCalibration.WarmMedian(() =>
        {
            called++;
            x.mm(x).Dispose();
        }, CPU, repeats: 5, prepare: () => prepared++);
        Assert.Equal(5, prepared);
        Assert.Equal(6, called);   // one untimed call first
        // A 256³ product is 33.6 MFLOP: between 1 µs (33 TFLOP/s) and 1 s (34 MFLOP/s) on any CPU this runs on.
        Assert.InRange(seconds, 1e-6, 1.0);
    }
}
