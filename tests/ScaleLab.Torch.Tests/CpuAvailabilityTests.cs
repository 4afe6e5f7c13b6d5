namespace ScaleLab.Torch.Tests;

public sealed class CpuAvailabilityTests
{
    [Theory]
    [InlineData(2, 0, 2)]    // a quiet 2-core machine: both cores
    [InlineData(2, 1, 1)]    // one other runnable thread: the free core
    [InlineData(2, 2, 1)]    // a two-thread job beside us: still one, never zero
    [InlineData(2, 7, 1)]    // loaded to several times its cores
    [InlineData(8, 3, 5)]
    [InlineData(8, -1, 8)]   // a reading below our own thread (a race in the counter) counts as nobody else
    public void ThreadsFor_IsTheFreeCoresAndAtLeastOne(int cores, int runnableElsewhere, int expected) =>
        Assert.Equal(expected, CpuAvailability.ThreadsFor(cores, runnableElsewhere));

    [Fact]
    public void DefaultThreads_IsBetweenOneAndTheCores()
    {
        int threads = CpuAvailability.DefaultThreads();
        Assert.InRange(threads, 1, CpuAvailability.Cores);
    }

    [Fact]
    public void ProcsRunning_OnLinux_CountsAtLeastTheReadingThread()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(CpuAvailability.ProcsRunning() >= 1);
    }
}
