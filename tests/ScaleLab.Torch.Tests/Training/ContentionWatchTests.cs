using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

// Serial: a watch that steps down sets libtorch's process-wide thread count.
[Collection(SerialTorchCollection.Name)]
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
        // Read first: the first torch call of a process may load libtorch, which on a loaded machine can outlast the
        // 1 s window; a window already over reads the load, and a contended one steps down to one thread. The test is
        // about the first window, so it starts after that call (it failed once in a full run under load).
        int before = TorchSharp.torch.get_num_threads();
        var watch = new ContentionWatch(threads: 2, adaptive: true);
        Assert.Equal(OperatingSystem.IsLinux(), watch.Enabled);
        Assert.Null(watch.AfterStep());
        Assert.Equal(before, TorchSharp.torch.get_num_threads());
    }
}
