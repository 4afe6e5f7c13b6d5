namespace ScaleLab.Core.Planning;

/// <summary>
/// Built-in hardware profiles. Every figure is the vendor's datasheet value, dense (datasheets print the 2:4
/// structured-sparsity rate with an asterisk; we halve it), and for the SXM form factor where there are two.
/// Memory "GB" is read as 10⁹ bytes, which is a little below the physical GiB and so leaves room for the CUDA context.
/// docs/hardware.md lists the same table with the same sources.
/// </summary>
public static class HardwareCatalog
{
    private const double Tera = 1e12, Giga = 1e9;

    // NVIDIA A100 Tensor Core GPU datasheet (2021, "NVIDIA A100 80GB PCIe / SXM" table): FP32 19.5 TFLOPS, TF32 156,
    // BF16 312, FP16 312, INT8 624 TOPS (dense); A100 40GB SXM: 40 GB HBM2, 1,555 GB/s; NVLink 600 GB/s. No FP8.
    public static HardwareProfile A100Sxm40GB { get; } = new(
        "a100-40gb", "NVIDIA A100 SXM4 40 GB", 40_000_000_000, 1_555 * Giga,
        new PeakFlops(19.5 * Tera, 156 * Tera, 312 * Tera, 312 * Tera, null, 624 * Tera),
        600 * Giga, "NVIDIA A100 Tensor Core GPU datasheet (2021), A100 40GB SXM column");

    // Same datasheet, A100 80GB SXM column: 80 GB HBM2e, 2,039 GB/s; compute as the 40 GB part.
    public static HardwareProfile A100Sxm80GB { get; } = new(
        "a100-80gb", "NVIDIA A100 SXM4 80 GB", 80_000_000_000, 2_039 * Giga,
        new PeakFlops(19.5 * Tera, 156 * Tera, 312 * Tera, 312 * Tera, null, 624 * Tera),
        600 * Giga, "NVIDIA A100 Tensor Core GPU datasheet (2021), A100 80GB SXM column");

    // NVIDIA H100 Tensor Core GPU datasheet (2023), H100 SXM column: FP32 67 TFLOPS; TF32 989, BF16 1,979, FP16 1,979,
    // FP8 3,958, INT8 3,958 TOPS are printed with sparsity, so dense is half; 80 GB HBM3, 3.35 TB/s; NVLink 900 GB/s.
    public static HardwareProfile H100Sxm { get; } = new(
        "h100-sxm", "NVIDIA H100 SXM5 80 GB", 80_000_000_000, 3_350 * Giga,
        new PeakFlops(67 * Tera, 494.5 * Tera, 989.5 * Tera, 989.5 * Tera, 1_979 * Tera, 1_979 * Tera),
        900 * Giga, "NVIDIA H100 Tensor Core GPU datasheet (2023), H100 SXM column; sparsity rates halved");

    // NVIDIA H200 Tensor Core GPU datasheet (2024), H200 SXM column: the H100's compute (same sparse figures, halved),
    // 141 GB HBM3e, 4.8 TB/s; NVLink 900 GB/s.
    public static HardwareProfile H200 { get; } = new(
        "h200", "NVIDIA H200 SXM 141 GB", 141_000_000_000, 4_800 * Giga,
        new PeakFlops(67 * Tera, 494.5 * Tera, 989.5 * Tera, 989.5 * Tera, 1_979 * Tera, 1_979 * Tera),
        900 * Giga, "NVIDIA H200 Tensor Core GPU datasheet (2024), H200 SXM column; sparsity rates halved");

    // NVIDIA L4 Tensor Core GPU datasheet (2023): FP32 30.3 TFLOPS; TF32 120, FP16 242, BF16 242, FP8 485, INT8 485 TOPS
    // printed with sparsity (dense is half); 24 GB GDDR6, 300 GB/s; PCIe Gen4 x16 (64 GB/s), no NVLink.
    public static HardwareProfile L4 { get; } = new(
        "l4", "NVIDIA L4 24 GB", 24_000_000_000, 300 * Giga,
        new PeakFlops(30.3 * Tera, 60 * Tera, 121 * Tera, 121 * Tera, 242.5 * Tera, 242.5 * Tera),
        64 * Giga, "NVIDIA L4 Tensor Core GPU datasheet (2023); sparsity rates halved");

    // NVIDIA Ada Lovelace GPU Architecture whitepaper (v2.1), Appendix A, GeForce RTX 4090: FP32 82.6 TFLOPS; tensor
    // rates with FP32 accumulate, as mixed-precision training uses: TF32 82.6, FP16 165.2, BF16 165.2, FP8 330.3,
    // INT8 660.6 TOPS (dense); 24 GB GDDR6X, 1,008 GB/s; PCIe Gen4 x16, no NVLink.
    public static HardwareProfile Rtx4090 { get; } = new(
        "rtx-4090", "NVIDIA GeForce RTX 4090 24 GB", 24_000_000_000, 1_008 * Giga,
        new PeakFlops(82.6 * Tera, 82.6 * Tera, 165.2 * Tera, 165.2 * Tera, 330.3 * Tera, 660.6 * Tera),
        64 * Giga, "NVIDIA Ada Lovelace GPU Architecture whitepaper v2.1, Appendix A (GeForce RTX 4090), FP32-accumulate rates");

    /// <summary>
    /// A conservative CPU default, used when no measurement is available: 100 GFLOP/s (a few AVX2 cores running an
    /// fp32 GEMM), 16 GB of memory, 20 GB/s (one DDR4-3200 channel is 25.6 GB/s). Unmeasured, every format gets the
    /// fp32 rate; a calibrate profile measures bf16 and fp16 (<see cref="Cpu(Accounting.Autograd.MachineProfile, long, string)"/>).
    /// </summary>
    public static HardwareProfile CpuDefault { get; } = Cpu(100 * Giga, 16_000_000_000, 20 * Giga,
        "conservative default (not measured): 100 GFLOP/s fp32 GEMM, 16 GB, 20 GB/s");

    /// <summary>
    /// A CPU profile from a measured fp32 GEMM rate; bf16 and fp16 get theirs where measured (<paramref name="bf16FlopsPerSecond"/>,
    /// <paramref name="fp16FlopsPerSecond"/>), the fp32 rate otherwise, as int8 does.
    /// </summary>
    public static HardwareProfile Cpu(double fp32FlopsPerSecond, long memoryBytes, double bandwidthBytesPerSecond, string source,
        double? bf16FlopsPerSecond = null, double? fp16FlopsPerSecond = null) =>
        new("cpu", "this machine's CPU", memoryBytes, bandwidthBytesPerSecond,
            new PeakFlops(fp32FlopsPerSecond, null, fp16FlopsPerSecond ?? fp32FlopsPerSecond, bf16FlopsPerSecond ?? fp32FlopsPerSecond, null, fp32FlopsPerSecond),
            null, source);

    /// <summary>
    /// This machine's CPU from its `scalelab calibrate` profile (<paramref name="path"/>): the fp32 rate of its largest
    /// measured GEMM (4096³, where a CPU's throughput saturates) and the bandwidth of its largest working set (32 MiB, past
    /// the last-level cache: what streaming a model's weights gets). bf16 and fp16 at the rate of their measured GEMM
    /// with the most multiply-adds (4096 × 256 → 256) where the profile has them: on the build machine's EPYC bf16 ran at 1.8–2.1× fp32, fp16 a hundred times
    /// slower (a scalar fallback), so one rate for every format would be wrong both ways.
    /// </summary>
    public static HardwareProfile Cpu(Accounting.Autograd.MachineProfile profile, long memoryBytes, string path)
    {
        ArgumentNullException.ThrowIfNull(profile);
        long n = profile.Gemms.Max(g => Math.Max(g.M, Math.Max(g.N, g.K)));
        double flops = 2.0 * n * n * n / profile.GemmSeconds(n, n, n);
        var dram = profile.Bandwidth.MaxBy(b => b.Bytes)!;
        string threads = profile.Threads == 1 ? "1 thread" : $"{profile.Threads} threads";
        double? bf16 = profile.FormatFlopsPerSecond("bf16"), fp16 = profile.FormatFlopsPerSecond("fp16");
        string formats = string.Concat(new[] { ("bf16", bf16), ("fp16", fp16) }.Where(f => f.Item2 is not null)
            .Select(f => FormattableString.Invariant($", {f.Item1} {f.Item2 / Giga:0.0}")));
        return Cpu(flops, memoryBytes, dram.BytesPerSecond, FormattableString.Invariant(
            $"calibrate profile {path} ({profile.Machine}, {threads}, measured {profile.MeasuredAt}): fp32 GEMM {n}³ {flops / Giga:0.0} GFLOP/s{formats}, bandwidth {dram.BytesPerSecond / Giga:0.0} GB/s at a {dram.Bytes >> 20} MiB working set; memory available to .NET"),
            bf16, fp16);
    }

    public static IReadOnlyList<HardwareProfile> BuiltIn { get; } = [A100Sxm40GB, A100Sxm80GB, H100Sxm, H200, L4, Rtx4090, CpuDefault];

    /// <summary>A built-in profile by name (case-insensitive; "h100" and "a100" are accepted as the SXM 80 GB parts).</summary>
    public static HardwareProfile? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant() switch
        {
            "h100" or "h100-80gb" => "h100-sxm",
            "a100" => "a100-80gb",
            "4090" or "rtx4090" => "rtx-4090",
            var other => other,
        };
        return BuiltIn.FirstOrDefault(p => p.Name == key);
    }
}
