using System.Runtime.InteropServices;

namespace ScaleLab.Torch.Measurement;

/// <summary>
/// glibc's allocator, set for measuring (mallopt(3), malloc_trim(3)). By default glibc raises its mmap threshold each
/// time a large block is freed (up to 32 MiB) and then keeps freed tensors in its heap, so the resident set stops
/// following the live tensors: a model built after a warm-up reuses the warm-up's freed pages and seems to cost
/// nothing. <see cref="Pin"/> fixes the threshold at 16 KiB so every tensor above it is its own mapping, returned to
/// the OS when freed; <see cref="KeepFreedBlocks"/> serves every block from the heap for timing (page faults on every
/// large allocation would slow the steps being timed). Linux with glibc only; elsewhere every call reports false.
/// </summary>
public static partial class MallocControl
{
    private const int MmapThreshold = -3;   // M_MMAP_THRESHOLD
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int MmapMax = -4;         // M_MMAP_MAX
    private const int ArenaMax = -8;        // M_ARENA_MAX

    /// <summary>glibc's default M_MMAP_MAX: how many blocks may be mappings of their own at once.</summary>
    private const int GlibcMmapMax = 65536;

    /// <summary>Arenas for a training process: two keep the training thread off the lock of the others; each one more only holds more freed memory.</summary>
    public const int TrainingArenas = 2;

    public const int PinnedMmapThresholdBytes = 16 << 10;

    public static bool Pin() => Set(PinnedMmapThresholdBytes, 64 << 10, GlibcMmapMax);

    /// <summary>
    /// <see cref="Pin"/> until disposed, then timing's settings (<see cref="KeepFreedBlocks"/>): a memory measurement
    /// leaves the allocator as the steps are timed on.
    /// </summary>
    public static PinnedAllocator PinWhileMeasuring() => new(Pin());

    /// <summary>The allocator pinned for a measurement; <see cref="Pinned"/>: whether it could be (glibc).</summary>
    public sealed class PinnedAllocator(bool pinned) : IDisposable
    {
        public bool Pinned { get; } = pinned;

        public void Dispose()
        {
            if (Pinned) KeepFreedBlocks();
        }
    }

    /// <summary>
    /// For timing: no block is a mapping of its own and the heap is trimmed only above 1 GiB (or when <see cref="Trim"/>
    /// asks), so freed tensors stay in the heap for the next step, as in a long run whose allocator keeps them (64 MiB,
    /// glibc's own trim maximum, timed the same on the Keras CNN: 26.9–131.1 vs 27.6–118.0 ms over batches 64–256).
    /// A threshold alone cannot do it: glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit and maps every larger block
    /// afresh, so a step that allocates one pages it in on every step. The LSTM classifier at batch 256 does: oneDNN's
    /// two workspaces of 73.4 and 68.7 MiB took 11,914 minor faults a step (5,962 at batch 128, 4 at 64) and its steps
    /// 94–102 ms at one thread; from the heap, 4 faults and 49–81 ms (40–48 against 59–63 ms at two threads).
    /// </summary>
    public static bool KeepFreedBlocks() => Set(32 << 20, 1 << 30, 0);

    /// <summary>
    /// Caps glibc's malloc arenas (by default up to 8 per core). Every thread that allocates while another holds the
    /// main arena gets an arena of its own, and each keeps the blocks freed in it, so libtorch's OpenMP workers and
    /// .NET's threads each hold freed tensors of their own (docs/training.md: one epoch of the MLP on full
    /// Fashion-MNIST peaked at 2.28 GiB by default, 1.22 GiB with MALLOC_ARENA_MAX=2, identical losses). Arenas made
    /// before the call stay; call it first thing.
    /// </summary>
    public static bool LimitArenas(int arenas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arenas, 1);
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(ArenaMax, arenas) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Collects garbage, runs finalizers (TorchSharp tensors free their native memory there), collects again and trims
    /// the heap: a compacted heap to measure on.
    /// </summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Trim();
    }

    /// <summary>Returns free heap pages to the OS; true when glibc released any.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return malloc_trim(0) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The most <see cref="PlugHeapHoles"/> takes: 1 GiB of holes in 16 KiB pieces.</summary>
    public const int MaxPlugs = 1 << 16;

    /// <summary>
    /// With the allocator pinned, fills the calling thread's heap holes of 16 KiB or more, until glibc has to map the
    /// next block: the plugs are held until disposed. Pinning means every tensor is a mapping of its own, but glibc
    /// looks in its free chunks before it maps, and a tensor that fits a hole is cut from it. The Keras CNN met one:
    /// after 4–9 measurements a free elsewhere in the process left a 5.6 MiB hole in the main heap, and from then on
    /// every repeat at every batch measured 2.7–3.5 MiB more, the step's tensors packed into the hole with the gaps
    /// between them resident (20.8 against 17.3 MiB at batch 64). A plug is a malloc of the threshold that came from
    /// the heap (<see cref="IsOwnMapping"/> false); it is not written, so only its header's page becomes
    /// resident, and that before the baseline. Other threads' arenas keep their holes. Linux with glibc only, and only
    /// while pinned; elsewhere it holds nothing.
    /// </summary>
    public static HeapPlugs PlugHeapHoles(bool pinned)
    {
        var plugs = new List<nint>();
        if (!pinned || !OperatingSystem.IsLinux()) return new HeapPlugs(plugs);
        try
        {
            while (plugs.Count < MaxPlugs)
            {
                nint block = malloc(PinnedMmapThresholdBytes);
                if (block == 0) break;
                if (IsOwnMapping(block))
                {
                    free(block);
                    break;
                }

                plugs.Add(block);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
        }

        return new HeapPlugs(plugs);
    }

    /// <summary>
    /// Whether a block glibc's malloc returned is a mapping of its own rather than cut from a heap: the IS_MMAPPED bit
    /// of the chunk's size word, just below the block (malloc.c). glibc on Linux only.
    /// </summary>
    public static bool IsOwnMapping(nint block) => (Marshal.ReadInt64(block - sizeof(long)) & 0x2) != 0;

    /// <summary>The heap holes <see cref="PlugHeapHoles"/> filled, freed on dispose; <see cref="Count"/> of <see cref="PinnedMmapThresholdBytes"/> each.</summary>
    public sealed class HeapPlugs : IDisposable
    {
        private readonly List<nint> _plugs;

        internal HeapPlugs(List<nint> plugs) => _plugs = plugs;

        public int Count => _plugs.Count;

        public void Dispose()
        {
            foreach (var block in _plugs) free(block);
            _plugs.Clear();
        }
    }

    private static bool Set(int mmap, int trim, int mappings)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(MmapThreshold, mmap) == 1 && mallopt(TrimThreshold, trim) == 1 && mallopt(MmapMax, mappings) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);

    [LibraryImport("libc", EntryPoint = "malloc")]
    private static partial nint malloc(nuint size);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void free(nint block);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
