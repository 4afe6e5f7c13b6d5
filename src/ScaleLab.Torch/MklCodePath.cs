using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace ScaleLab.Torch;

/// <summary>What <see cref="MklCodePath.Prepare"/> found and did.</summary>
public enum MklCodePathState
{
    /// <summary>Not looked at yet.</summary>
    Unprepared,

    /// <summary>Not an AMD x86-64 processor on Linux: oneMKL's own choice is already the fast one.</summary>
    NotNeeded,

    /// <summary>oneMKL was told before its first call that it may use the kernels this processor's features allow.</summary>
    FeatureKernels,

    /// <summary>SCALELAB_MKL_GENERIC is set: oneMKL keeps its generic path.</summary>
    OptedOut,

    /// <summary>oneMKL had already been called in this process (its choice is made for the process): left as it was.</summary>
    AlreadyChosen,

    /// <summary>libtorch's oneMKL is not the build this was written for (no such functions, or other code): left alone.</summary>
    Unrecognised,
}

/// <summary>
/// oneMKL, linked into libtorch_cpu, chooses its kernels by the processor's vendor as well as its features: on an AMD
/// processor it runs its generic code path ("Intel(R) Architecture processors" in MKL_VERBOSE) rather than the AVX2 or
/// AVX-512 kernels the processor has. On the 2-core AMD EPYC (Zen 4) build machine, one thread, the AVX-512 kernels
/// ran the seed MLP's backward GEMMs 11–18 % faster (64×1000×784 NN 1.06 → 0.90 ms, 1000×784×64 1.01 → 0.90 ms),
/// a 1024³ GEMM 11 % faster, and a training step of the seed MLP 6–7 % faster (batch 64: 9.06 → 8.49 ms; batch 256:
/// 20.9 → 19.4 ms; docs/engine-bench.md).
/// <para>
/// The vendor check is two functions that cache their answer in a static int (-1 until first asked):
/// `mkl_serv_intel_cpu_true` and `mkl_serv_intel_cpu`, exported by libtorch_cpu.so. Before oneMKL's first call,
/// <see cref="Prepare"/> sets both caches to 1, so every later choice follows the processor's CPUID features, as it
/// does on an Intel processor (the same effect as the widely used LD_PRELOAD of a `mkl_serv_intel_cpu_true` that
/// returns 1, without a library or an environment variable). It acts only when all of this holds: Linux on x86-64,
/// an AMD processor, SCALELAB_MKL_GENERIC unset, both functions begin with the load of their cache that oneMKL 2024
/// compiles them to (8B 05 disp32), and both caches are still -1 (once oneMKL has chosen, a later change would mix the
/// two paths in one process). Otherwise it changes nothing and says why in <see cref="State"/>.
/// </para>
/// </summary>
public static partial class MklCodePath
{
    public const string OptOutVariable = "SCALELAB_MKL_GENERIC";

    private static readonly Lock Gate = new();
    private const int RtldNow = 0x2, RtldNoload = 0x4;

    public static MklCodePathState State { get; private set; }

    /// <summary>A line for a person: which kernels oneMKL runs and why.</summary>
    public static string Describe() => State switch
    {
        MklCodePathState.FeatureKernels => "oneMKL: the kernels of this AMD processor's features (its vendor check answered before first use; " + OptOutVariable + "=1 keeps its generic path)",
        MklCodePathState.OptedOut => "oneMKL: its generic path on this AMD processor (" + OptOutVariable + " is set)",
        MklCodePathState.AlreadyChosen => "oneMKL: its own choice (it had run before ScaleLab could answer its vendor check)",
        MklCodePathState.Unrecognised => "oneMKL: its own choice (this libtorch's vendor check is not the one ScaleLab knows)",
        _ => "oneMKL: its own choice",
    };

    /// <summary>What a machine profile's "machine" names besides the processor (its GEMM rates depend on it); null where nothing changed.</summary>
    public static string? ProfileNote => State switch
    {
        MklCodePathState.FeatureKernels => "oneMKL feature kernels",
        MklCodePathState.OptedOut or MklCodePathState.AlreadyChosen or MklCodePathState.Unrecognised => "oneMKL generic path",
        _ => null,
    };

    /// <summary>
    /// Loads libtorch if it is not yet loaded and, where it applies (see the class), answers oneMKL's vendor check;
    /// once per process, before the first tensor operation that may reach oneMKL. Returns what it found.
    /// </summary>
    public static MklCodePathState Prepare()
    {
        lock (Gate)
        {
            if (State != MklCodePathState.Unprepared) return State;
            State = Decide();
            return State;
        }
    }

    private static MklCodePathState Decide()
    {
        if (!OperatingSystem.IsLinux() || ProcessorVendor != "AuthenticAMD") return MklCodePathState.NotNeeded;
        if (Environment.GetEnvironmentVariable(OptOutVariable) is { Length: > 0 } v && v != "0") return MklCodePathState.OptedOut;
        TorchSharp.torch.get_num_threads();   // loads libtorch_cpu.so; reaches no oneMKL routine that asks the vendor
        IntPtr library = dlopen("libtorch_cpu.so", RtldNow | RtldNoload);
        if (library == IntPtr.Zero) return MklCodePathState.Unrecognised;
        try
        {
            unsafe
            {
                int* first = CacheOf(dlsym(library, "mkl_serv_intel_cpu_true"));
                int* second = CacheOf(dlsym(library, "mkl_serv_intel_cpu"));
                if (first is null || second is null) return MklCodePathState.Unrecognised;
                if (*first != -1 || *second != -1) return MklCodePathState.AlreadyChosen;
                *first = 1;
                *second = 1;
                return MklCodePathState.FeatureKernels;
            }
        }
        finally
        {
            _ = dlclose(library);   // only the reference RTLD_NOLOAD took: libtorch stays loaded
        }
    }

    /// <summary>The static int a vendor-check function returns when set: its first instruction, mov eax, [rip + disp32].</summary>
    private static unsafe int* CacheOf(IntPtr function)
    {
        if (function == IntPtr.Zero) return null;
        byte* code = (byte*)function;
        if (code[0] != 0x8B || code[1] != 0x05) return null;
        return (int*)(code + 6 + *(int*)(code + 2));
    }

    /// <summary>The x86 processor's CPUID vendor string ("AuthenticAMD", "GenuineIntel"); null off x86.</summary>
    public static string? ProcessorVendor
    {
        get
        {
            if (!X86Base.IsSupported) return null;
            var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
            Span<byte> name = stackalloc byte[12];
            BitConverter.TryWriteBytes(name[..4], ebx);
            BitConverter.TryWriteBytes(name[4..8], edx);
            BitConverter.TryWriteBytes(name[8..], ecx);
            return Encoding.ASCII.GetString(name);
        }
    }

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr dlopen(string file, int mode);

    [LibraryImport("libc", EntryPoint = "dlsym", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr dlsym(IntPtr handle, string name);

    [LibraryImport("libc", EntryPoint = "dlclose")]
    private static partial int dlclose(IntPtr handle);
}
