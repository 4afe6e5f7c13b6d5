using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

public sealed class ContentionWatchTests
{
    [Fact]
    public void RunDelay_OnLinux_IsReadFromSchedstat()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(ContentionWatch.RunDelayNanoseconds() >= 0);
    }

    [Fact]
    public void AfterStep_WithinTheFirstWindow_SaysNothingAndLeavesTheThreads()
    {
        var watch = new ContentionWatch(threads: 2, adaptive: true);
        Assert.Equal(OperatingSystem.IsLinux(), watch.Enabled);
        int before = TorchSharp.torch.get_num_threads();
        Assert.Null(watch.AfterStep());
        Assert.Equal(before, TorchSharp.torch.get_num_threads());
    }
}
