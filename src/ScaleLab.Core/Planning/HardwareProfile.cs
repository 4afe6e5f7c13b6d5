namespace ScaleLab.Core.Planning;

/// <summary>
/// Peak dense (no structured sparsity) FLOP/s of one device for each format its matrix units support; null where the
/// device has no such rate (the A100 has no fp8 tensor cores). Integer formats are in operations per second.
/// </summary>
public sealed record PeakFlops(double? Fp32, double? Tf32, double? Fp16, double? Bf16, double? Fp8, double? Int8)
{
    public double? For(ComputeFormat format) => format switch
    {
        ComputeFormat.Fp32 => Fp32,
        ComputeFormat.Tf32 => Tf32,
        ComputeFormat.Fp16 => Fp16,
        ComputeFormat.Bf16 => Bf16,
        ComputeFormat.Fp8 => Fp8,
        ComputeFormat.Int8 => Int8,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The formats that have a rate, in <see cref="ComputeFormatInfo.All"/> order.</summary>
    public IReadOnlyList<ComputeFormat> Supported => [.. ComputeFormatInfo.All.Where(f => For(f) is not null)];
}

/// <summary>
/// One accelerator (or a CPU) as the planner sees it: memory size, memory bandwidth, peak dense rate per format,
/// and where each figure comes from.
/// </summary>
/// <param name="Name">Short name used on the command line, e.g. "h100-sxm".</param>
/// <param name="Description">What it is, e.g. "NVIDIA H100 SXM5 80 GB".</param>
/// <param name="MemoryBytes">Device memory; datasheet "GB" read as 10⁹ bytes.</param>
/// <param name="MemoryBandwidthBytesPerSecond">Peak memory bandwidth; datasheet "GB/s" read as 10⁹ bytes/s.</param>
/// <param name="Peak">Peak dense FLOP/s per format.</param>
/// <param name="InterconnectBytesPerSecond">GPU-to-GPU bandwidth per device (NVLink total), when known; informative only.</param>
/// <param name="Source">The document every figure is taken from.</param>
public sealed record HardwareProfile(
    string Name,
    string Description,
    long MemoryBytes,
    double MemoryBandwidthBytesPerSecond,
    PeakFlops Peak,
    double? InterconnectBytesPerSecond,
    string Source)
{
    /// <summary>The peak rate for <paramref name="format"/>, or an error naming the formats this device does have.</summary>
    public double PeakFor(ComputeFormat format) =>
        Peak.For(format) ?? throw new PlanningException(
            $"{Name} has no {format.Name()} rate; it has: {string.Join(", ", Peak.Supported.Select(f => f.Name()))}");
}
