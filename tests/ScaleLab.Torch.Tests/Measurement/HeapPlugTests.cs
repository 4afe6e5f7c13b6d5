using System.Runtime.InteropServices;
using ScaleLab.Torch.Measurement;

namespace ScaleLab.Torch.Tests.Measurement;

/// <summary>
/// MallocControl.PlugHeapHoles: on the pinned allocator a block above the threshold is a mapping of its own only when
/// no free chunk in the heap fits it; the plugs fill those chunks so it is.
/// </summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class HeapPlugTests
{
    private const int HoleBlocks = 384, HoleBlockBytes = 15 << 10;   // 5.6 MiB, as the hole the Keras CNN met

    [Fact]
    public void PluggedHeap_MapsABlockThatTheHoleWouldHaveServed()
    {
        using var pinned = MallocControl.PinWhileMeasuring();
        Assert.True(pinned.Pinned, "glibc's mallopt refused the pinned settings");
        // Marshal.AllocHGlobal is malloc on Linux. A hole in this thread's heap: blocks below the pinned threshold come
        // from the heap, most of them cut from its top one after another. The highest stays as a fence: freed, the run
        // below it would merge into the top chunk, where a trim would take it back.
        var blocks = new List<nint>();
        for (int i = 0; i <= HoleBlocks; i++) blocks.Add(Marshal.AllocHGlobal(HoleBlockBytes));
        nint fence = blocks.Max();
        try
        {
            Assert.All(blocks, b => Assert.False(MallocControl.IsOwnMapping(b)));
            blocks.Remove(fence);
            foreach (var b in blocks) Marshal.FreeHGlobal(b);
            blocks.Clear();

            nint unplugged = Marshal.AllocHGlobal(1 << 20);
            bool cutFromHole = !MallocControl.IsOwnMapping(unplugged);
            Marshal.FreeHGlobal(unplugged);
            Assert.True(cutFromHole, "without plugs a 1 MiB block is cut from the 5.6 MiB hole");

            using (var plugs = MallocControl.PlugHeapHoles(pinned.Pinned))
            {
                // The hole in 16 KiB plugs, with what else of this arena's free space and top chunk could hold one.
                Assert.InRange(plugs.Count, HoleBlocks * HoleBlockBytes / MallocControl.PinnedMmapThresholdBytes - 8, MallocControl.MaxPlugs - 1);
                nint plugged = Marshal.AllocHGlobal(1 << 20);
                bool mapped = MallocControl.IsOwnMapping(plugged);
                Marshal.FreeHGlobal(plugged);
                Assert.True(mapped, $"with {plugs.Count} plugs a 1 MiB block is a mapping of its own");
            }
        }
        finally
        {
            foreach (var b in blocks.Where(b => b != fence)) Marshal.FreeHGlobal(b);
            Marshal.FreeHGlobal(fence);
        }
    }

    [Fact]
    public void PlugHeapHoles_NotPinned_HoldsNothing()
    {
        using var plugs = MallocControl.PlugHeapHoles(pinned: false);
        Assert.Equal(0, plugs.Count);
    }
}
