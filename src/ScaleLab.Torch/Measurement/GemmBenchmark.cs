using System.Diagnostics;
using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Measurement;

/// <summary>One GEMM peak measurement: the best time of <see cref="Runs"/> square matmuls of side <see cref="Size"/>.</summary>
public sealed record GemmMeasurement(int Size, Precision Precision, int Runs, double BestSeconds, int Threads)
{
    /// <summary>An (n×n)·(n×n) product is n³ multiply-adds = 2n³ FLOPs (1 MAC = 2 FLOPs, the house convention).</summary>
    public double FlopsPerMatmul => 2.0 * Size * Size * Size;

    public double FlopsPerSecond => FlopsPerMatmul / BestSeconds;
}

/// <summary>
/// This machine's practical matmul peak through TorchSharp/libtorch: the denominator of "utilisation" in verify and
/// the benches (the achieved-vs-peak idea of PaLM's MFU, Chowdhery et al. 2022, Appendix B, with a measured peak
/// instead of a datasheet one). Square products, one warm-up, then best-of-N within the time budget: best, not mean,
/// because interference from other processes only ever makes a run slower.
/// </summary>
public static class GemmBenchmark
{
    /// <summary>1024² fp32 operands (4 MiB each) are large enough to reach BLAS peak and small enough to repeat often in 1 s.</summary>
    public const int DefaultSize = 1024;

    /// <summary>At least this many timed runs even if the budget is already spent, so one slow run cannot decide alone.</summary>
    public const int MinimumRuns = 3;

    public static double MeasurePeak(Precision precision, TimeSpan budget) => Measure(precision, budget).FlopsPerSecond;

    /// <summary>The tensor type a GEMM in <paramref name="precision"/> runs on: fp32, bf16 or fp16; any other is refused.</summary>
    public static ScalarType MatmulType(Precision precision) => precision switch
    {
        Precision.Fp32 => ScalarType.Float32,
        Precision.Bf16 => ScalarType.BFloat16,
        Precision.Fp16 => ScalarType.Float16,
        _ => throw new ScaleLabException($"GEMM benchmark: precision {precision.Name()} is not a floating-point matmul type; use fp32, bf16 or fp16"),
    };

    public static GemmMeasurement Measure(Precision precision, TimeSpan budget, int size = DefaultSize, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var dtype = MatmulType(precision);
        device ??= CPU;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new Generator(seed: 1234);
        var a = torch.randn([size, size], dtype: dtype, device: device, generator: generator);   // (n, n)
        var b = torch.randn([size, size], dtype: dtype, device: device, generator: generator);   // (n, n)
        using (var warm = a.matmul(b)) Synchronize(device);                                      // warm-up: BLAS threads, caches

        double best = double.MaxValue;
        int runs = 0;
        var clock = Stopwatch.StartNew();
        while (runs < MinimumRuns || clock.Elapsed < budget)
        {
            long t0 = Stopwatch.GetTimestamp();
            using (var c = a.matmul(b)) Synchronize(device);                                     // (n, n); the 4 MiB allocation is noise next to 2n³ FLOPs
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            runs++;
        }
        return new GemmMeasurement(size, precision, runs, best, torch.get_num_threads());
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }
}
