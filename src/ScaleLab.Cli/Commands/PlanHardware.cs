using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Planning;
using ScaleLab.Torch.Measurement;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// Resolves --hardware: a built-in name, or a path to a profile JSON. "cpu" is measured on the spot: a short fp32 GEMM
/// through TorchSharp (<see cref="GemmBenchmark"/>) and the memory the runtime can use; bandwidth keeps the default.
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

    /// <summary>The measured CPU, or the conservative default when TorchSharp cannot run here (the reason is kept in Source).</summary>
    private static HardwareProfile MeasureCpu()
    {
        var fallback = HardwareCatalog.CpuDefault;
        try
        {
            var gemm = GemmBenchmark.Measure(Precision.Fp32, GemmBudget);
            long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return HardwareCatalog.Cpu(gemm.FlopsPerSecond, memory > 0 ? memory : fallback.MemoryBytes, fallback.MemoryBandwidthBytesPerSecond,
                FormattableString.Invariant($"measured here: fp32 GEMM {gemm.Size}² best of {gemm.Runs} on {gemm.Threads} threads (TorchSharp); memory available to .NET; bandwidth not measured, default 20 GB/s"));
        }
        catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or InvalidOperationException or NotSupportedException)
        {
            return fallback with { Source = $"{fallback.Source} (TorchSharp unavailable: {ex.GetType().Name})" };
        }
    }
}
