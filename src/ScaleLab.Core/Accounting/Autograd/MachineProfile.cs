namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>One measured GEMM: (M × K) · (K × N) in <see cref="Seconds"/>, the dispatch overhead already taken out.</summary>
public sealed record GemmPoint(long M, long N, long K, double Seconds)
{
    // Derived from the measurement, so the profile file leaves it out.
    [System.Text.Json.Serialization.JsonIgnore]
    public double FlopsPerSecond => 2.0 * M * N * K / Seconds;
}

/// <summary>Elementwise throughput at one working-set size: bytes moved (read + written) per second.</summary>
public sealed record BandwidthPoint(long Bytes, double BytesPerSecond);

/// <summary>A reference layer's measured time over its GEMM-equivalent time, at K: a convolution's reduction length C·k², an LSTM's batch.</summary>
public sealed record SlowdownPoint(long K, double Slowdown);

/// <summary>
/// Fused attention (scaled_dot_product_attention, causal) measured at one head dimension and sequence length: seconds
/// per score (one query–key pair of one head, B·H·S·(S+1)/2 of them causal) in forward, and in backward. CPU flash
/// attention runs its QKᵀ and AV per block with its own softmax bookkeeping, 2–5× slower than the tape's GEMM
/// equivalents and nearly linear in the batch, where those GEMMs are not (docs/verify.md).
/// </summary>
public sealed record AttentionPoint(long HeadDim, long Sequence, double ForwardSecondsPerScore, double BackwardSecondsPerScore);

/// <summary>
/// A row-wise kernel over the last dimension of a (rows × <see cref="Width"/>) tensor, measured at one width: seconds
/// per row in forward (autograd recording) and in backward (0 for topk, whose indices take no gradient). libtorch's CPU
/// softmax, sum and topk vectorise across the reduced dimension, so below a vector's width they run one row at a time:
/// softmax over 2 values costs 52 ns a row on the build machine, some 200 times what its 16 bytes take to move, and a mixture of
/// experts' router (topk over E experts, softmax and sums over its k choices) is built of exactly these (docs/verify.md).
/// Batch norm's rows are (sample, channel) planes of the spatial size. <see cref="Op"/> is one of <see cref="RowOps"/>.
/// </summary>
public sealed record RowOpPoint(string Op, long Width, double ForwardSecondsPerRow, double BackwardSecondsPerRow);

/// <summary>
/// The row-wise kernels calibrate measures (<see cref="RowOpPoint"/>): the router's softmax, sum and topk over narrow
/// rows, and the normalisations, whose libtorch CPU kernels run 10–40× below the bandwidth model: batch norm in
/// training (a row is one channel of one sample, its width the spatial size: 2.4 ns a value forward, 2 backward on the
/// build machine, one thread, where moving its bytes takes 0.06), layer norm over a row, and ScaleLab's RmsNorm (six
/// recorded ops, its backward 0.3–0.7 ms at 512 rows of 128 where the bandwidth model gives 0.03).
/// </summary>
public static class RowOps
{
    public const string Softmax = "softmax", Sum = "sum", TopK = "topk", BatchNorm = "batch_norm", LayerNorm = "layer_norm", RmsNorm = "rms_norm";

    public static readonly string[] All = [Softmax, Sum, TopK, BatchNorm, LayerNorm, RmsNorm];

    /// <summary>Recorded ops one call of <paramref name="op"/> is on the tape (ScaleLab's RmsNorm: pow, mean, add, rsqrt, mul, mul).</summary>
    public static int Nodes(string op) => op == RmsNorm ? 6 : 1;

    /// <summary>The k calibrate's topk picks: a router's top-2 (Mixtral, the suite's MoE).</summary>
    public const int TopKChoices = 2;
}

/// <summary>
/// A GEMM (m × k)·(k × n) in a 16-bit format (<see cref="Precision"/>: "bf16" or "fp16"), timed at one shape of each
/// class (<see cref="FormatGemmShapes"/>). Whether a CPU has a fast 16-bit path is the processor's and oneDNN's
/// business: the build machine's EPYC (AVX512-BF16, one thread) ran bf16 at 1.7–2.1× its fp32 rate at the two large
/// shapes but 2–18× below it at the small two, and fp16 through a scalar fallback at 1–4.6 GFLOP/s, a hundred times slower.
/// </summary>
public sealed record FormatGemmPoint(string Precision, long M, long N, long K, double Seconds)
{
    /// <summary>The shape classes: small (64³), a decode step's vector (1 × 1024 → 1024), tall and skinny (4096 × 256 → 256), large (512³).</summary>
    public static readonly (long M, long N, long K)[] FormatGemmShapes = [(64, 64, 64), (1, 1024, 1024), (4096, 256, 256), (512, 512, 512)];

    public static readonly string[] Formats = ["bf16", "fp16"];

    [System.Text.Json.Serialization.JsonIgnore]
    public double FlopsPerSecond => 2.0 * M * N * K / Seconds;
}

/// <summary>
/// One optimizer update (not zero_grad) over <see cref="Parameters"/> fp32 parameters in 64 Ki-element tensors,
/// as the trainer runs it: one flat buffer updated in chunks (FlatParameters). <see cref="Optimizer"/> is the config name.
/// </summary>
public sealed record OptimizerPoint(string Optimizer, long Parameters, double Seconds);

/// <summary>
/// The clocks a timing can read (a profile's <c>clock</c>, verify's <c>conditions.clock</c>): the wall clock, or the
/// calling thread's CPU time, which leaves out what a hypervisor gave other guests (docs/verify.md, "The clock").
/// </summary>
public static class TimingClocks
{
    public const string Wall = "wall", ThreadCpu = "thread_cpu";

    public static readonly string[] All = [Wall, ThreadCpu];
}

/// <summary>
/// What `scalelab calibrate` measured on one machine, for one device, precision and thread count: the GEMM throughput
/// over a grid of shapes (small, skinny and large products differ by 10–50× on a CPU), elementwise bandwidth by
/// working-set size (cache-resident vs DRAM), transcendental throughput (exp/tanh/erf per second), and the fixed cost
/// of one kernel launched from .NET through TorchSharp and libtorch's dispatcher, with and without autograd recording;
/// and for oneDNN's convolution and LSTM kernels, how much slower they run than their GEMM equivalents (measured on
/// reference layers: blocked-layout reorders, im2col and per-step cell work that a GEMM does not do).
/// <see cref="SpeedReference"/>: the speed probe's shapes (MachineCalibration.SpeedShapes), each the median of the
/// probes calibrate took through all its passes — the machine's speed over the minutes its figures come from, against
/// which verify reads its speed now (<see cref="GemmSpeed"/>); null where none was taken (then the grid's own points).
/// </summary>
public sealed record MachineProfile(
    string Device,
    string Precision,
    int Threads,
    IReadOnlyList<GemmPoint> Gemms,
    IReadOnlyList<BandwidthPoint> Bandwidth,
    double TranscendentalsPerSecond,
    double DispatchSeconds,
    double AutogradOpSeconds,
    string MeasuredAt,
    string Machine,
    IReadOnlyList<SlowdownPoint>? ConvSlowdowns = null,
    IReadOnlyList<SlowdownPoint>? RecurrentSlowdowns = null,
    double MaxPoolingSecondsPerElement = 0,
    double AveragePoolingSecondsPerElement = 0,
    IReadOnlyList<OptimizerPoint>? OptimizerSteps = null,
    IReadOnlyList<AttentionPoint>? Attention = null,
    IReadOnlyList<RowOpPoint>? RowOpRates = null,
    IReadOnlyList<FormatGemmPoint>? FormatGemms = null,
    string Clock = TimingClocks.Wall,
    int Passes = 1,
    double GemmPassSpread = 0,
    IReadOnlyList<GemmPoint>? SpeedReference = null)
{
    /// <summary>
    /// One profile from several calibration passes of one machine: every figure the median of the passes' (each list
    /// matched item by item: the same shapes in the same order). A shared host runs slow for tens of seconds at a time
    /// (a hypervisor's other guests on our cores' siblings), and a single pass caught in such a spell prices everything
    /// it measured then too high: two single-pass calibrations of the Intel VM eight minutes apart differed by a median
    /// 16 % over the GEMM grid (a tenth of the shapes by 47 % or more) and by 20–31 % in the convolution slowdowns.
    /// <see cref="GemmPassSpread"/> records how far the passes disagreed: the median over the GEMM grid of (slowest −
    /// fastest) / median.
    /// </summary>
    public static MachineProfile MedianOf(IReadOnlyList<MachineProfile> passes)
    {
        ArgumentNullException.ThrowIfNull(passes);
        if (passes.Count == 0) throw new ArgumentException("at least one pass is needed", nameof(passes));
        var first = passes[0];
        if (passes.Count == 1) return first;
        if (passes.Any(p => p.Device != first.Device || p.Threads != first.Threads || p.Precision != first.Precision || p.Clock != first.Clock))
            throw new ArgumentException("the passes measured different devices, thread counts, precisions or clocks", nameof(passes));
        double M(Func<MachineProfile, double> pick) => Median([.. passes.Select(pick)]);
        IReadOnlyList<T>? Each<T>(Func<MachineProfile, IReadOnlyList<T>?> list, Func<T, T, bool> same, Func<IReadOnlyList<T>, T> combine)
        {
            var lists = passes.Select(list).ToArray();
            if (lists.All(l => l is null)) return null;
            if (lists.Any(l => l is null || l.Count != lists[0]!.Count)) throw new ArgumentException("the passes measured different lists", nameof(passes));
            return [.. Enumerable.Range(0, lists[0]!.Count).Select(i =>
            {
                var items = lists.Select(l => l![i]).ToArray();
                if (items.Any(x => !same(x, items[0]))) throw new ArgumentException("the passes measured different points", nameof(passes));
                return combine(items);
            })];
        }

        var gemms = Each(p => p.Gemms, (a, b) => (a.M, a.N, a.K) == (b.M, b.N, b.K), g => g[0] with { Seconds = Median([.. g.Select(x => x.Seconds)]) })!;
        double spread = Median([.. Enumerable.Range(0, first.Gemms.Count).Select(i =>
        {
            var seconds = passes.Select(p => p.Gemms[i].Seconds).ToArray();
            return (seconds.Max() - seconds.Min()) / Median(seconds);
        })]);
        return first with
        {
            Gemms = gemms,
            Bandwidth = Each(p => p.Bandwidth, (a, b) => a.Bytes == b.Bytes, g => g[0] with { BytesPerSecond = Median([.. g.Select(x => x.BytesPerSecond)]) })!,
            TranscendentalsPerSecond = M(p => p.TranscendentalsPerSecond),
            DispatchSeconds = M(p => p.DispatchSeconds),
            AutogradOpSeconds = M(p => p.AutogradOpSeconds),
            MeasuredAt = passes[^1].MeasuredAt,
            ConvSlowdowns = Each(p => p.ConvSlowdowns, (a, b) => a.K == b.K, g => g[0] with { Slowdown = Median([.. g.Select(x => x.Slowdown)]) }),
            RecurrentSlowdowns = Each(p => p.RecurrentSlowdowns, (a, b) => a.K == b.K, g => g[0] with { Slowdown = Median([.. g.Select(x => x.Slowdown)]) }),
            MaxPoolingSecondsPerElement = M(p => p.MaxPoolingSecondsPerElement),
            AveragePoolingSecondsPerElement = M(p => p.AveragePoolingSecondsPerElement),
            OptimizerSteps = Each(p => p.OptimizerSteps, (a, b) => (a.Optimizer, a.Parameters) == (b.Optimizer, b.Parameters),
                g => g[0] with { Seconds = Median([.. g.Select(x => x.Seconds)]) }),
            Attention = Each(p => p.Attention, (a, b) => (a.HeadDim, a.Sequence) == (b.HeadDim, b.Sequence),
                g => g[0] with { ForwardSecondsPerScore = Median([.. g.Select(x => x.ForwardSecondsPerScore)]), BackwardSecondsPerScore = Median([.. g.Select(x => x.BackwardSecondsPerScore)]) }),
            RowOpRates = Each(p => p.RowOpRates, (a, b) => (a.Op, a.Width) == (b.Op, b.Width),
                g => g[0] with { ForwardSecondsPerRow = Median([.. g.Select(x => x.ForwardSecondsPerRow)]), BackwardSecondsPerRow = Median([.. g.Select(x => x.BackwardSecondsPerRow)]) }),
            FormatGemms = Each(p => p.FormatGemms, (a, b) => (a.Precision, a.M, a.N, a.K) == (b.Precision, b.M, b.N, b.K),
                g => g[0] with { Seconds = Median([.. g.Select(x => x.Seconds)]) }),
            Passes = passes.Sum(p => p.Passes),
            GemmPassSpread = spread,
        };
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[(n / 2) - 1] + values[n / 2]);
    }

    /// <summary>
    /// How fast this machine runs GEMMs now against when the profile was measured: the median over the shapes in
    /// <paramref name="now"/> that the profile also holds of (profile seconds / seconds now); above 1 it is faster now.
    /// The profile's seconds are <see cref="SpeedReference"/>'s where calibrate probed them, else its grid's. Null when
    /// no shape matches. A machine whose speed drifts (a shared host) shows it here: `verify` re-times the probe's
    /// shapes beside every batch's timed steps and prices the prediction at that speed (docs/verify.md, "Drift").
    /// </summary>
    public double? GemmSpeed(IReadOnlyList<GemmPoint> now)
    {
        ArgumentNullException.ThrowIfNull(now);
        var reference = SpeedReference is { Count: > 0 } probed ? probed : Gemms;
        var ratios = now.Where(p => p.Seconds > 0)
            .Select(p => reference.FirstOrDefault(g => g.M == p.M && g.N == p.N && g.K == p.K) is { Seconds: > 0 } then ? then.Seconds / p.Seconds : double.NaN)
            .Where(double.IsFinite).ToArray();
        return ratios.Length == 0 ? null : Median(ratios);
    }

    /// <summary>The rate of the GEMM with the most multiply-adds measured in <paramref name="precision"/> ("bf16", "fp16"); null when none was.</summary>
    public double? FormatFlopsPerSecond(string precision) =>
        (FormatGemms ?? []).Where(g => g.Precision == precision).MaxBy(g => (double)g.M * g.N * g.K)?.FlopsPerSecond;

    /// <summary>
    /// Forward and backward seconds of a row-wise kernel over <paramref name="rows"/> rows of <paramref name="width"/>
    /// values: seconds per row interpolated in log width (log-log) between the measured widths; below the smallest, its
    /// rate; past the largest, its rate per value times the width. Null when calibrate did not measure the kernel.
    /// </summary>
    public (double Forward, double Backward)? RowOpSeconds(string op, long width, double rows)
    {
        var points = (RowOpRates ?? []).Where(p => p.Op == op).OrderBy(p => p.Width).ToArray();
        if (points.Length == 0 || width <= 0 || rows <= 0) return null;
        double Rate(Func<RowOpPoint, double> pick)
        {
            if (width <= points[0].Width) return pick(points[0]);
            if (width >= points[^1].Width) return pick(points[^1]) * width / points[^1].Width;
            int i = Array.FindLastIndex(points, p => p.Width <= width);
            double a = pick(points[i]), b = pick(points[i + 1]);
            if (a <= 0 || b <= 0) return 0;   // topk's backward: none
            double t = (Math.Log(width) - Math.Log(points[i].Width)) / (Math.Log(points[i + 1].Width) - Math.Log(points[i].Width));
            return Math.Exp(((1 - t) * Math.Log(a)) + (t * Math.Log(b)));
        }

        return (rows * Rate(p => p.ForwardSecondsPerRow), rows * Rate(p => p.BackwardSecondsPerRow));
    }

    /// <summary>
    /// Forward and backward seconds of fused attention over <paramref name="scores"/> scores at this head dimension and
    /// sequence length, from the measured rates: per-score seconds interpolated bilinearly in log head dimension and log
    /// sequence over the measured grid, clamped at its edges; null when calibrate did not measure attention.
    /// </summary>
    public (double Forward, double Backward)? AttentionSeconds(long headDim, long sequence, double scores)
    {
        if (Attention is not { Count: > 0 } points || headDim <= 0 || sequence <= 0) return null;
        var dims = points.Select(p => (double)p.HeadDim).Distinct().Order().ToArray();
        var lengths = points.Select(p => (double)p.Sequence).Distinct().Order().ToArray();
        var table = points.ToDictionary(p => (p.HeadDim, p.Sequence));
        double forward = 0, backward = 0;
        var (di, dw) = dims.Length > 1 ? Bracket(dims, headDim) : (0, 0.0);
        var (si, sw) = lengths.Length > 1 ? Bracket(lengths, sequence) : (0, 0.0);
        for (int a = 0; a < (dims.Length > 1 ? 2 : 1); a++)
            for (int b = 0; b < (lengths.Length > 1 ? 2 : 1); b++)
            {
                double w = (dims.Length > 1 ? (a == 0 ? 1 - dw : dw) : 1) * (lengths.Length > 1 ? (b == 0 ? 1 - sw : sw) : 1);
                if (w == 0) continue;
                if (!table.TryGetValue(((long)dims[di + a], (long)lengths[si + b]), out var p)) return null;   // not a full grid
                forward += w * Math.Log(p.ForwardSecondsPerScore);
                backward += w * Math.Log(p.BackwardSecondsPerScore);
            }

        return (scores * Math.Exp(forward), scores * Math.Exp(backward));
    }

    /// <summary>
    /// A step of <paramref name="kind"/> over <paramref name="parameters"/> parameters, from the measured points: seconds
    /// per parameter interpolated in log parameters, clamped at the ends; null when calibrate did not measure it. The
    /// update's in-place multi-operand kernels run at a fraction of the out-of-place bandwidth above (seed-size
    /// decoders: 30 GB/s where the bandwidth table gives 145), so the step is measured, not modelled.
    /// </summary>
    public double? OptimizerSeconds(OptimizerKind kind, long parameters)
    {
        string name = kind.Name();
        var points = (OptimizerSteps ?? []).Where(p => p.Optimizer == name).OrderBy(p => p.Parameters).ToArray();
        if (points.Length == 0 || parameters <= 0) return null;
        var rate = Interpolate([.. points.Select(p => new SlowdownPoint(p.Parameters, p.Seconds / p.Parameters))], parameters);
        return rate * parameters;
    }

    /// <summary>
    /// Measured time over GEMM-equivalent time for a kernel class (<see cref="GemmKind"/>); 1 for plain matmuls. A
    /// convolution's depends on its reduction length K = C·k² (a 1-channel 3×3 stem runs far below its tiny GEMM, a
    /// 64-channel layer near it): interpolated in log K between the reference layers, clamped at the ends.
    /// An LSTM's depends on the batch (oneDNN changes its cell kernel past a batch of 64): interpolated in log batch.
    /// </summary>
    public double Slowdown(GemmKind kind, long k, long batch) => kind switch
    {
        GemmKind.Conv => Interpolate(ConvSlowdowns, k),
        GemmKind.Recurrent => Interpolate(RecurrentSlowdowns, batch),
        _ => 1,
    };

    private static double Interpolate(IReadOnlyList<SlowdownPoint>? points, long k)
    {
        if (points is not { Count: > 0 }) return 1;
        var sorted = points.OrderBy(p => p.K).ToArray();
        if (k <= sorted[0].K) return sorted[0].Slowdown;
        if (k >= sorted[^1].K) return sorted[^1].Slowdown;
        int i = Array.FindLastIndex(sorted, p => p.K <= k);
        double t = (Math.Log(k) - Math.Log(sorted[i].K)) / (Math.Log(sorted[i + 1].K) - Math.Log(sorted[i].K));
        return Math.Exp(((1 - t) * Math.Log(sorted[i].Slowdown)) + (t * Math.Log(sorted[i + 1].Slowdown)));
    }

    public const string Schema = "scalelab.machine-profile/8";

    /// <summary>
    /// Seconds for (m × k)·(k × n): the measured throughput interpolated bilinearly in log₂ of each dimension over the
    /// grid (trilinear), each dimension clamped to the grid (beyond it, throughput is taken as saturated).
    /// </summary>
    public double GemmSeconds(long m, long n, long k)
    {
        if (m <= 0 || n <= 0 || k <= 0) return 0;
        var axis = Gemms.Select(g => g.M).Distinct().Order().Select(v => (double)v).ToArray();
        var table = Gemms.ToDictionary(g => (g.M, g.N, g.K), g => Math.Log(g.FlopsPerSecond));
        double logRate = 0;
        var (mi, mw) = Bracket(axis, m);
        var (ni, nw) = Bracket(axis, n);
        var (ki, kw) = Bracket(axis, k);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                for (int c = 0; c < 2; c++)
                {
                    double w = (a == 0 ? 1 - mw : mw) * (b == 0 ? 1 - nw : nw) * (c == 0 ? 1 - kw : kw);
                    if (w == 0) continue;
                    var key = ((long)axis[mi + a], (long)axis[ni + b], (long)axis[ki + c]);
                    logRate += w * table[key];
                }

        return 2.0 * m * n * k / Math.Exp(logRate);
    }

    /// <summary>Bytes moved at this working set, at the interpolated (log-log) bandwidth.</summary>
    public double ElementwiseSeconds(long bytes)
    {
        if (bytes <= 0) return 0;
        var points = Bandwidth.OrderBy(p => p.Bytes).ToArray();
        if (bytes <= points[0].Bytes) return bytes / points[0].BytesPerSecond;
        if (bytes >= points[^1].Bytes) return bytes / points[^1].BytesPerSecond;
        int i = Array.FindLastIndex(points, p => p.Bytes <= bytes);
        double t = (Math.Log(bytes) - Math.Log(points[i].Bytes)) / (Math.Log(points[i + 1].Bytes) - Math.Log(points[i].Bytes));
        double rate = Math.Exp(((1 - t) * Math.Log(points[i].BytesPerSecond)) + (t * Math.Log(points[i + 1].BytesPerSecond)));
        return bytes / rate;
    }

    /// <summary>The lower grid index and the weight of the upper one for <paramref name="value"/> in log₂ space, clamped.</summary>
    private static (int Index, double Weight) Bracket(double[] axis, long value)
    {
        double v = Math.Clamp(value, axis[0], axis[^1]);
        int i = Math.Max(0, Array.FindLastIndex(axis, a => a <= v));
        if (i >= axis.Length - 1) return (axis.Length - 2, 1);
        double w = (Math.Log2(v) - Math.Log2(axis[i])) / (Math.Log2(axis[i + 1]) - Math.Log2(axis[i]));
        return (i, w);
    }
}
