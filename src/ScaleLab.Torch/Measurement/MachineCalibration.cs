using System.Diagnostics;
using System.Globalization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Measurement;

/// <summary>
/// Measures a <see cref="MachineProfile"/> through TorchSharp on one device at the current thread count (fp32): the
/// dispatch overhead of a tiny kernel, the extra cost of an op recorded by autograd and run backward, GEMM time over a
/// grid of shapes, elementwise bandwidth by working set, and tanh throughput. Each figure is the median of repeated
/// timings (robust to a shared machine's hiccups); every kernel is run once untimed first.
/// </summary>
public static class MachineCalibration
{
    /// <summary>GEMM grid per dimension: 1 … 4096 in ×4 steps, 343 shapes; beyond it throughput is taken as saturated.</summary>
    public static IReadOnlyList<long> GemmAxis { get; } = [1, 4, 16, 64, 256, 1024, 4096];

    /// <summary>Products above this many multiply-adds reuse a smaller neighbour's throughput (saturated there; saves ~10 s).</summary>
    public const long MaxMeasuredMacs = 1L << 31;

    /// <summary>
    /// Working sets for the bandwidth curve, cache-resident to DRAM; at most 32 MiB, so the output stays under the
    /// 32 MiB mmap threshold verify times with (a larger output is a fresh mapping each call, 30× slower per byte).
    /// </summary>
    public static IReadOnlyList<long> BandwidthBytes { get; } = [16 << 10, 128 << 10, 1 << 20, 8 << 20, 32 << 20];

    public static MachineProfile Measure(Device? device = null, double secondsPerPoint = 0.01, IProgress<string>? progress = null)
    {
        device ??= CPU;
        MallocControl.Release();
        using var noGrad = no_grad();
        progress?.Report("dispatch overhead");
        double dispatch = DispatchSeconds(device);
        double autograd = AutogradOpSeconds(device, dispatch);
        progress?.Report("elementwise bandwidth");
        var bandwidth = BandwidthBytes.Select(b => Bandwidth(device, b, dispatch, secondsPerPoint)).ToArray();
        double transcendentals = Transcendentals(device, secondsPerPoint);
        var gemms = new List<GemmPoint>();
        int done = 0;
        foreach (long m in GemmAxis)
        {
            progress?.Report(string.Create(CultureInfo.InvariantCulture, $"GEMM grid {done}/{GemmAxis.Count * GemmAxis.Count * GemmAxis.Count}"));
            foreach (long n in GemmAxis)
                foreach (long k in GemmAxis)
                {
                    gemms.Add(Gemm(device, m, n, k, dispatch, secondsPerPoint, gemms));
                    done++;
                }
        }

        string machine = CpuModel() ?? Environment.MachineName;
        var profile = new MachineProfile(device.type.ToString().ToLowerInvariant(), "fp32", torch.get_num_threads(), gemms, bandwidth,
            transcendentals, dispatch, autograd, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), machine);
        progress?.Report("reference convolutions and LSTM");
        // Batch 128: a small-channel conv's slowdown grows with the batch (1.8× at 64, 4–7× at 128 for the 1-channel stem).
        var conv = ConvReferences.Select(r => new SlowdownPoint(r.K, Slowdown(profile, r.Json, 128, secondsPerPoint * 10))).ToArray();
        var recurrent = new[] { 64, 256 }.Select(b => new SlowdownPoint(b, Slowdown(profile, LstmReference, b, secondsPerPoint * 10))).ToArray();
        return profile with
        {
            ConvSlowdowns = conv,
            RecurrentSlowdowns = recurrent,
            MaxPoolingSecondsPerElement = PoolingSeconds(device, true, secondsPerPoint * 10),
            AveragePoolingSecondsPerElement = PoolingSeconds(device, false, secondsPerPoint * 10),
            OptimizerSteps = [.. MeasuredOptimizers.SelectMany(kind => OptimizerSizes.Select(n => OptimizerStep(device, kind, n)))],
        };
    }

    /// <summary>
    /// The optimizers `train` runs, each measured at these parameter counts: 64 Ki (one chunk: the step's fixed cost
    /// shows), 256 Ki and 4 Mi (state far past the cache), every call on evicted caches.
    /// </summary>
    public static readonly OptimizerKind[] MeasuredOptimizers =
        [OptimizerKind.Sgd, OptimizerKind.SgdMomentum, OptimizerKind.Adam, OptimizerKind.AdamW, OptimizerKind.RmsProp, OptimizerKind.RmsPropMomentum];

    public static readonly long[] OptimizerSizes = [1L << 16, 1L << 18, 1L << 22];

    /// <summary>
    /// One update of the trainer's optimizer (flat buffer, the same defaults as a config that names only the optimizer)
    /// over <paramref name="parameters"/> fp32 parameters in 64 Ki-element tensors, the gradients of one backward kept:
    /// zeroed gradients would decay Adam's moments into denormal floats, which x86 runs many times slower.
    /// </summary>
    private static OptimizerPoint OptimizerStep(Device device, OptimizerKind kind, long parameters)
    {
        const long PerTensor = 1 << 16;
        using var enable = enable_grad();
        var tensors = Enumerable.Range(0, (int)(parameters / PerTensor))
            .Select(i => ($"p{i}", new TorchSharp.Modules.Parameter(randn(PerTensor, device: device)))).ToList();
        try
        {
            using var optimizer = OptimizerFactory.Create(new TrainingConfig { Optimizer = kind }, tensors);
            using (var scope = NewDisposeScope())
            {
                // One backward gives every parameter its gradient (in the optimizer's flat buffer, as in training).
                tensors.Aggregate(zeros(1, device: device), (sum, t) => sum + t.Item2.sum()).backward();
            }
            double seconds = ColdMedian(() =>
            {
                using var scope = NewDisposeScope();
                optimizer.Step(1e-3);
            }, OptimizerRepeats, device);
            return new OptimizerPoint(kind.Name(), parameters, seconds);
        }
        finally
        {
            foreach (var (_, p) in tensors) p.Dispose();
        }
    }

    /// <summary>2×2 max pooling of (64, 32, 26, 26) or average pooling of (64, 6, 28, 28), forward and backward, per input element.</summary>
    private static double PoolingSeconds(Device device, bool max, double budget)
    {
        using var enable = enable_grad();
        long[] shape = max ? [64, 32, 26, 26] : [64, 6, 28, 28];
        using var x = randn(shape, device: device, requires_grad: true);
        double seconds = Median(() =>
        {
            using var scope = NewDisposeScope();
            var y = max ? nn.functional.max_pool2d(x, 2) : nn.functional.avg_pool2d(x, 2);
            y.backward([ones_like(y)]);
        }, budget, device);
        return seconds / x.numel();
    }

    /// <summary>Reference convolutions (batch 128) by reduction length K = C·k²: 1-channel 3×3 and 5×5 stems, 16- and 64-channel 3×3 layers.</summary>
    public static readonly (long K, string Json)[] ConvReferences =
    [
        (9, """{"name": "conv-1-32", "task": "classification", "input": [1, 28, 28], "layers": [{"type": "conv2d", "filters": 32, "kernel": 3}]}"""),
        (25, """{"name": "conv-1-8-5x5", "task": "classification", "input": [1, 28, 28], "layers": [{"type": "conv2d", "filters": 8, "kernel": 5, "padding": 2}]}"""),
        (144, """{"name": "conv-16-16", "task": "classification", "input": [16, 32, 32], "layers": [{"type": "conv2d", "filters": 16, "kernel": 3, "padding": 1, "bias": false}]}"""),
        (576, """{"name": "conv-64-64", "task": "classification", "input": [64, 11, 11], "layers": [{"type": "conv2d", "filters": 64, "kernel": 3}]}"""),
    ];

    /// <summary>Reference LSTM (batches 64 and 256): 28 steps of 28 features into 128 units, the last state out.</summary>
    private const string LstmReference =
        """{"name": "lstm-28-128", "task": "classification", "input": [28, 28], "layers": [{"type": "lstm", "hidden": 128, "return_sequences": false}]}""";

    /// <summary>
    /// How much slower the reference layer's forward + backward runs than the tape's prediction of its GEMMs (the other
    /// parts of the prediction — bytes moved, launches, the weight gradient's accumulation — are taken as they are).
    /// </summary>
    public static double Slowdown(MachineProfile profile, string json, int batch, double budget)
    {
        var spec = Core.Spec.ModelSpecJson.Parse(json, "calibrate", "reference");
        var cost = Core.Accounting.ModelAccounting.Account(spec);
        var tape = StepMemory.Tape(cost);
        var node = tape.Nodes[0];
        double once = StepTimeEstimator.Node(tape, node, batch, profile).Seconds;
        double twice = StepTimeEstimator.Node(tape, node, batch, profile with { ConvSlowdowns = [new SlowdownPoint(1, 2)], RecurrentSlowdowns = [new SlowdownPoint(1, 2)] }).Seconds;
        double gemm = twice - once, rest = once - gemm;
        using var enable = enable_grad();
        using var model = ModuleBuilder.Build(spec);
        using var x = randn([batch, .. spec.Input!.Dims]);
        double measured = Median(() =>
        {
            using var scope = NewDisposeScope();
            // A dense output gradient, as the layer after it would send (sum()'s would be a stride-0 broadcast).
            var y = model.call(x);
            y.backward([ones_like(y)]);
        }, budget, CPU);
        return Math.Max(0.25, (measured - rest) / gemm);
    }



    /// <summary>
    /// Seconds per call of <paramref name="action"/>: calls are timed in blocks of at least 0.5 ms (a single
    /// microsecond call is below the clock's useful resolution), blocks repeated for about <paramref name="budget"/>
    /// seconds, and their median taken — the statistic verify reports for steps, so prediction and measurement agree
    /// on what "typical" means.
    /// </summary>
    public static double Median(Action action, double budget, Device device)
    {
        ArgumentNullException.ThrowIfNull(action);
        action();
        Synchronize(device);
        long t0 = Stopwatch.GetTimestamp();
        action();
        Synchronize(device);
        double once = Math.Max(Stopwatch.GetElapsedTime(t0).TotalSeconds, 1e-7);
        int calls = (int)Math.Clamp(0.0005 / once, 1, 10_000);
        var blocks = new List<double>();
        var clock = Stopwatch.StartNew();
        while (blocks.Count < 8 || (clock.Elapsed.TotalSeconds < budget && blocks.Count < 2_000))
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) action();
            Synchronize(device);
            blocks.Add(Stopwatch.GetElapsedTime(start).TotalSeconds / calls);
        }

        blocks.Sort();
        return blocks[blocks.Count / 2];
    }

    /// <summary>Timed calls of <see cref="ColdMedian"/> per optimizer point (about 5 ms each with the eviction).</summary>
    private const int OptimizerRepeats = 15;

    /// <summary>
    /// Bytes read between timed calls to push the caches out: more than any last-level cache this runs on (AMD EPYC: 32 MiB
    /// per CCD), so what the call touches comes from DRAM, as it does in a training step.
    /// </summary>
    private const long EvictionBytes = 64L << 20;

    /// <summary>
    /// The median of <paramref name="repeats"/> single calls, each after the caches were evicted (a read-only pass over
    /// <see cref="EvictionBytes"/>, untimed). An optimizer step runs after forward and backward have pushed the
    /// parameters, gradients and moments out of cache; timed back to back instead, a 256 Ki-parameter Adam keeps its
    /// 4 MiB of state resident and runs at 1.1–1.2 ns a parameter against 2.2–3.2 ns evicted (this machine, 1 thread).
    /// </summary>
    private static double ColdMedian(Action action, int repeats, Device device)
    {
        using var eviction = ones(EvictionBytes / 4, device: device);
        action();
        Synchronize(device);
        var seconds = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            using (var sum = eviction.sum()) Synchronize(device);
            long start = Stopwatch.GetTimestamp();
            action();
            Synchronize(device);
            seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(seconds);
        return seconds[repeats / 2];
    }

    private static double DispatchSeconds(Device device)
    {
        using var x = ones(16, device: device);
        return Median(() => x.add_(1e-7), 0.05, device);
    }

    /// <summary>A chain of 64 tiny recorded multiplies run forward and backward, per op, less the forward dispatch.</summary>
    private static double AutogradOpSeconds(Device device, double dispatch)
    {
        using var enable = enable_grad();
        using var x = ones(16, device: device, requires_grad: true);
        const int Chain = 64;
        double seconds = Median(() =>
        {
            using var scope = NewDisposeScope();
            var y = x;
            for (int i = 0; i < Chain; i++) y = y * 1.0001;
            y.sum().backward();
        }, 0.1, device);
        return Math.Max(seconds / Chain - dispatch, 0.1 * dispatch);
    }

    private static BandwidthPoint Bandwidth(Device device, long workingSet, double dispatch, double budget)
    {
        long n = Math.Max(1, workingSet / 8);   // input and output, fp32
        using var a = randn(n, device: device);
        // Out of place, as training's kernels are (a fresh output from the allocator each call), on the allocator
        // settings verify times with (MallocControl.Release).
        double seconds = Median(() => a.relu().Dispose(), budget, device);
        double bytes = 8.0 * n;                  // read a, write the result
        // The launch is counted apart (DispatchSeconds); at most half of a small kernel's time is taken as launch.
        return new BandwidthPoint(workingSet, bytes / Math.Max(seconds - dispatch, 0.5 * seconds));
    }

    private static double Transcendentals(Device device, double budget)
    {
        const long N = 1 << 21;
        using var x = rand(N, device: device);
        double seconds = Median(() => x.tanh().Dispose(), budget, device);
        return N / seconds;
    }

    private static GemmPoint Gemm(Device device, long m, long n, long k, double dispatch, double budget, List<GemmPoint> done)
    {
        if (checked(m * n * k) > MaxMeasuredMacs)
        {
            // Saturated: reuse the rate of the shape whose largest dimension is a quarter as big (measured earlier in
            // the m, n, k loop order, since a smaller value of an outer dimension always comes first).
            long largest = Math.Max(m, Math.Max(n, k));
            var (sm, sn, sk) = m == largest ? (m / 4, n, k) : n == largest ? (m, n / 4, k) : (m, n, k / 4);
            var smaller = done.First(g => g.M == sm && g.N == sn && g.K == sk);
            return new GemmPoint(m, n, k, 2.0 * m * n * k / smaller.FlopsPerSecond);
        }

        using var scope = NewDisposeScope();
        var a = randn([m, k], device: device);
        var b = randn([k, n], device: device);
        double seconds = Median(() => a.mm(b).Dispose(), budget, device);
        return new GemmPoint(m, n, k, Math.Max(seconds - dispatch, 0.5 * seconds));
    }

    private static string? CpuModel()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (!File.Exists(CpuInfo)) return null;
        var line = File.ReadLines(CpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }
}
