using ScaleLab.Torch.Measurement;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Measurement;

/// <summary>WarmMedian's fault-free timing: calls that page in fresh memory are left out of the median.</summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class FaultFreeTimingTests
{
    // 128 MiB: on the pinned allocator (every block above 16 KiB a mapping of its own) each one is a fresh mapping
    // whose pages fault in (32 Ki faults at 4 KiB pages, 64 with transparent huge pages: either way over
    // FaultFreePages). Pinned here: a verify test before this one leaves timing's settings, which keep freed blocks;
    // and timing's settings again after, as verify leaves them: pinned, every output above 16 KiB of the timing tests
    // that run after these would be a fresh mapping, its time page faults (RowOpRateTests' reference, an out-of-place
    // add then, read batch norm at 4.2× its bytes' time in one full run, over 5 expected).
    private const long FreshValues = 32L << 20;

    [Fact]
    public void MinorFaults_GrowWhenAFreshTensorIsWritten()
    {
        using var pinned = MallocControl.PinWhileMeasuring();
        long before = MachineCalibration.MinorFaults()!.Value;
        using (var fresh = ones(FreshValues)) { }
        long after = MachineCalibration.MinorFaults()!.Value;
        Assert.True(after - before > MachineCalibration.FaultFreePages, $"{after - before} minor faults for a fresh 128 MiB tensor");
    }

    [Fact]
    public void WarmMedian_FaultFree_TimesTheCallsThatTookNoFaults()
    {
        using var pinned = MallocControl.PinWhileMeasuring();
        using var threads = TorchThreads.Use(1);
        using var small = ones(16);
        int calls = 0;
        // The untimed first call, then nine timed: five of them (1, 3, 5, 7, 9) write a fresh 128 MiB tensor (tens of
        // milliseconds), the other four one tiny add (microseconds).
        void Action()
        {
            if (calls++ % 2 == 1)
            {
                using var fresh = ones(FreshValues);
            }
            else
            {
                small.add_(Scalars.One, Scalars.One);
            }
        }

        double all = MachineCalibration.WarmMedian(Action, CPU);
        calls = 0;
        double clean = MachineCalibration.WarmMedian(Action, CPU, faultFree: true);
        // Every call counted, the median is a faulting one (about 30 ms on the build machine); fault-free, a tiny add's
        // (microseconds, after the 16 MiB eviction pass): over a hundred times apart.
        Assert.True(all > 1e-3, $"the median of all calls: {all * 1e3:F3} ms");
        Assert.True(clean < all / 100, $"fault-free {clean * 1e6:F1} µs against {all * 1e6:F1} µs for every call");
    }
}
