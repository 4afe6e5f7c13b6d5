using ScaleLab.Core.Accounting;
using ScaleLab.Torch.Measurement;
using TorchSharp;

namespace ScaleLab.Torch.Tests.Measurement;

[Collection(ProcessMemoryCollection.Name)]
public sealed class MeasurementTests
{
    [Fact]
    public void ParseField_ReadsKilobytesAsBytes()
    {
        const string status = "Name:\tdotnet\nVmHWM:\t  123456 kB\nVmRSS:\t   65432 kB\nThreads:\t12\n";
        Assert.Equal(123456L * 1024, PeakMemory.ParseField(status, "VmHWM"));
        Assert.Equal(65432L * 1024, PeakMemory.ParseField(status, "VmRSS"));
        Assert.Equal(12, PeakMemory.ParseField(status, "Threads"));
        Assert.Equal(0, PeakMemory.ParseField(status, "VmSwap"));
    }

    [Fact]
    public void AnonymousBytes_GrowByATouched128MiBTensor()
    {
        // Anonymous memory (VmRSS also moved with file-backed library pages the kernel reclaims at will), after a
        // collection, less whatever the managed heap committed or decommitted meanwhile (.NET's GC returns regions to
        // the OS in the background): what is left is the tensor. In full runs the unadjusted delta missed by tens of MiB.
        // Settled (collected and trimmed): a verify or calibrate test before this one leaves glibc mapping no block of
        // its own and trimming only above 1 GiB (MallocControl.KeepFreedBlocks), so without the trim the tensor can be
        // cut from freed heap pages still resident, and it read a delta of 0 in one full run.
        MallocControl.Settle();
        long heapBefore = GC.GetGCMemoryInfo().TotalCommittedBytes;
        long before = PeakMemory.ReadAnonymousBytes();
        using var big = torch.ones(32L << 20);          // 32 Mi float32 = 128 MiB, every page written
        long after = PeakMemory.ReadAnonymousBytes();
        long heapChange = GC.GetGCMemoryInfo().TotalCommittedBytes - heapBefore;
        Assert.InRange(after - before - heapChange, 120L << 20, 200L << 20);
        // VmHWM is not compared with VmRSS here: the kernel updates the high-water mark lazily (when RSS is about to
        // fall), and SpecVerifier resets it, so it can read below the current RSS for a while.
        Assert.True(PeakMemory.ReadPeakResidentBytes() > 0);
    }

    [Fact]
    public void TorchThreads_Use_RestoresThePreviousCount()
    {
        int previous = torch.get_num_threads();
        using (ScaleLab.Torch.TorchThreads.Use(previous == 1 ? 2 : 1))
        {
            Assert.NotEqual(previous, torch.get_num_threads());
        }
        Assert.Equal(previous, torch.get_num_threads());
    }

    [Fact]
    public void Gemm_MeasuresAPositiveRateFromAtLeastThreeRuns()
    {
        var m = GemmBenchmark.Measure(Precision.Fp32, TimeSpan.FromMilliseconds(50), size: 128);
        Assert.Equal(2.0 * 128 * 128 * 128, m.FlopsPerMatmul);
        Assert.True(m.Runs >= GemmBenchmark.MinimumRuns);
        Assert.InRange(m.FlopsPerSecond, 1e8, 1e14);      // any real CPU lies between 0.1 GFLOP/s and 100 TFLOP/s
    }

    [Fact]
    public void Gemm_IntegerPrecision_IsRejected()
    {
        var ex = Assert.Throws<ScaleLab.Core.ScaleLabException>(() => GemmBenchmark.Measure(Precision.Int8, TimeSpan.Zero));
        Assert.Equal("GEMM benchmark: precision int8 is not a floating-point matmul type; use fp32, bf16 or fp16", ex.Message);
    }

    [Fact]
    public void StepTimes_MedianOfEvenCount_AveragesTheMiddlePair()
    {
        Assert.Equal(new StepTimes(4, 2.5, 2.5, 1), StepTimes.From([3.0, 1, 2, 4]));
    }

    [Fact]
    public void StepTimer_SkipsWarmupSteps()
    {
        var timer = new StepTimer(warmupSteps: 2);
        for (int i = 0; i < 5; i++)
        {
            timer.Start();
            timer.Stop();
        }
        Assert.Equal(5, timer.StepsSeen);
        Assert.Equal(3, timer.Seconds.Count);
        Assert.Equal(3, timer.CpuSeconds.Count);
    }

    [Fact]
    public void ThreadCpuClock_CountsWork_AndNotTimeAsleep()
    {
        Assert.True(TimingClock.ThreadCpuAvailable);   // Linux: CLOCK_THREAD_CPUTIME_ID
        double wall0 = TimingClock.Now(ClockKind.Wall), cpu0 = TimingClock.ThreadCpuSeconds();
        Thread.Sleep(200);
        double slept = TimingClock.ThreadCpuSeconds() - cpu0, sleptWall = TimingClock.Now(ClockKind.Wall) - wall0;
        Assert.InRange(sleptWall, 0.19, 10);
        // Asleep the thread uses next to no CPU: a wall clock would read 0.2 s here.
        Assert.InRange(slept, 0, 0.02);

        cpu0 = TimingClock.ThreadCpuSeconds();
        wall0 = TimingClock.Now(ClockKind.Wall);
        double x = 0;
        while (TimingClock.ThreadCpuSeconds() - cpu0 < 0.05) x += Math.Sqrt(x + 1);
        double busy = TimingClock.ThreadCpuSeconds() - cpu0, busyWall = TimingClock.Now(ClockKind.Wall) - wall0;
        Assert.True(x > 0);
        // Busy, the thread's CPU time is at most the wall time it took (less when a hypervisor or another process took the core).
        Assert.InRange(busy, 0.05, busyWall + 0.002);
    }

    [Fact]
    public void HostCpuTime_ReadsProcStat_AndStealIsTheShareOfTicksBetweenTwoReadings()
    {
        var now = HostCpuTime.Read();
        Assert.NotNull(now);
        Assert.True(now.Value.Total > 0 && now.Value.Steal >= 0 && now.Value.Steal <= now.Value.Total);
        Assert.Equal(0.05, HostCpuTime.StealFraction(new HostCpuTime(10, 100), new HostCpuTime(15, 200))!.Value, 12);
        Assert.Null(HostCpuTime.StealFraction(new HostCpuTime(10, 100), new HostCpuTime(10, 100)));
    }

    [Fact]
    public void TorchSharpInfo_ReportsTheReferencedVersions()
    {
        var info = TorchSharpInfo.Current();
        Assert.Equal("0.107.0", info.TorchSharpVersion);
        Assert.StartsWith("2.", info.LibTorchVersion, StringComparison.Ordinal);
        Assert.True(info.IntraOpThreads >= 1);
    }
}
