using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Planning;
using ScaleLab.Torch.Measurement;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// Resolves --hardware: a built-in name, or a path to a profile JSON. "cpu" is this machine: its `scalelab calibrate`
/// profile when one is saved, else a short fp32 GEMM measured on the spot through TorchSharp (<see cref="GemmBenchmark"/>,
/// bandwidth kept at the default), and the memory the runtime can use.
/// </summary>
internal static class PlanHardware
{
    private static readonly TimeSpan GemmBudget = TimeSpan.FromSeconds(0.5);

    public static HardwareProfile Resolve(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(text))
            return HardwareProfileReader.ReadFile(text);
        var profile = HardwareCatalog.Find(text)
            ?? throw new ScaleLabException($"--hardware '{text}': unknown hardware; built-in: {string.Join(", ", HardwareCatalog.BuiltIn.Select(p => p.Name))}, or a profile .json (docs/hardware.md)");
        return profile.Name == "cpu" ? MeasureCpu() : profile;
    }

    /// <summary>
    /// This CPU from its saved `scalelab calibrate` profile for libtorch's thread count when there is one (GEMM rate and
    /// DRAM bandwidth measured), else a quick GEMM measured now; the conservative default when TorchSharp cannot run
    /// here (the reason is kept in Source).
    /// </summary>
    private static HardwareProfile MeasureCpu()
    {
        var fallback = HardwareCatalog.CpuDefault;
        try
        {
            long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            memory = memory > 0 ? memory : fallback.MemoryBytes;
            if (Calibrated(MachineProfileJson.DefaultPath(ScaleLab.Torch.TorchThreads.Load()), memory, out string? problem) is { } calibrated) return calibrated;
            var gemm = GemmBenchmark.Measure(Precision.Fp32, GemmBudget);
            return HardwareCatalog.Cpu(gemm.FlopsPerSecond, memory, fallback.MemoryBandwidthBytesPerSecond,
                FormattableString.Invariant($"measured here: fp32 GEMM {gemm.Size}² best of {gemm.Runs} on {gemm.Threads} threads (TorchSharp); memory available to .NET; bandwidth not measured, default 20 GB/s (scalelab calibrate measures it{(problem is null ? "" : "; " + problem)})"));
        }
        catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or InvalidOperationException or NotSupportedException)
        {
            return fallback with { Source = $"{fallback.Source} (TorchSharp unavailable: {ex.GetType().Name})" };
        }
    }

    /// <summary>
    /// The CPU from the calibrate profile at <paramref name="path"/>; null when there is none, or when it is not usable
    /// (an older schema, another device: <paramref name="problem"/> says which, and the quick measurement stands in).
    /// </summary>
    internal static HardwareProfile? Calibrated(string path, long memoryBytes, out string? problem)
    {
        problem = null;
        if (!File.Exists(path)) return null;
        try
        {
            var profile = MachineProfileJson.Load(path);
            if (profile.Device == "cpu") return HardwareCatalog.Cpu(profile, memoryBytes, path);
            problem = $"{path}: a {profile.Device} profile";
        }
        catch (ScaleLabException ex)
        {
            problem = $"the saved profile is not usable: {ex.Message}";
        }

        return null;
    }
}
