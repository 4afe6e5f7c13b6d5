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
/// timings (robust to a shared machine's hiccups) on <see cref="TimingClock"/>, and of whole passes
/// (<see cref="DefaultPasses"/>; robust to its slow spells); every kernel is run once untimed first.
/// </summary>
public static class MachineCalibration
{
    /// <summary>GEMM grid per dimension: 1 … 4096 in ×4 steps, 343 shapes; beyond it throughput is taken as saturated.</summary>
    public static IReadOnlyList<long> GemmAxis { get; } = [1, 4, 16, 64, 256, 1024, 4096];

    /// <summary>Products above this many multiply-adds reuse a smaller neighbour's throughput (saturated there; saves ~10 s).</summary>
    public const long MaxMeasuredMacs = 1L << 31;

    /// <summary>
    /// Working sets for the bandwidth curve, cache-resident to DRAM; at most 32 MiB. Outputs come from the heap, as
    /// verify's steps do (<see cref="MallocControl.KeepFreedBlocks"/>): a fresh mapping each call ran 30× slower per byte.
    /// </summary>
    public static IReadOnlyList<long> BandwidthBytes { get; } = [16 << 10, 128 << 10, 1 << 20, 8 << 20, 32 << 20];

    /// <summary>Calibration passes by default: three, each figure the median of theirs (<see cref="MachineProfile.MedianOf"/>).</summary>
    public const int DefaultPasses = 3;

    /// <summary>
    /// Measures the profile <paramref name="passes"/> times, one whole pass after another (so a slow spell of a shared
    /// host lands in one pass, not in one part of every pass), and keeps each figure's median over the passes.
    /// </summary>
    public static MachineProfile Measure(Device? device = null, double secondsPerPoint = 0.01, IProgress<string>? progress = null, int passes = DefaultPasses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        device ??= CPU;
        MklCodePath.Prepare();   // the profile names the GEMM path it measured
        MallocControl.KeepFreedBlocks();
        using var noGrad = no_grad();
        using var eviction = ones(Math.Max(1, EvictionBytes / 4), device: device);
        _eviction = eviction;
        try
        {
            // The speed probe verify takes beside its steps, taken here through every pass: its median over them is the
            // machine's speed over the minutes the profile's figures come from (MachineProfile.SpeedReference).
            var probes = new List<GemmPoint[]>();
            void Probe(double dispatch) => probes.Add(SpeedProbe(device, dispatch));
            var measured = new List<MachineProfile>(passes);
            for (int i = 0; i < passes; i++)
                measured.Add(MeasureWarm(device, secondsPerPoint, progress is null || passes == 1 ? progress : new PassProgress(progress, i + 1, passes), Probe));

            return MachineProfile.MedianOf(measured) with
            {
                SpeedReference = [.. SpeedShapes.Select((_, i) => probes[0][i] with { Seconds = Median([.. probes.Select(p => p[i].Seconds)]) })],
            };
        }
        finally
        {
            _eviction = null;
        }
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    internal static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Progress lines prefixed with the pass.</summary>
    private sealed class PassProgress(IProgress<string> inner, int pass, int passes) : IProgress<string>
    {
        public void Report(string value) => inner.Report(string.Create(CultureInfo.InvariantCulture, $"pass {pass} of {passes}: {value}"));
    }

    /// <summary>One pass; <paramref name="probe"/> (given the pass's dispatch) times the speed probe at its start, through the grid and at its end.</summary>
    private static MachineProfile MeasureWarm(Device device, double secondsPerPoint, IProgress<string>? progress, Action<double> probe)
    {
        progress?.Report("dispatch overhead");
        double dispatch = DispatchSeconds(device);
        probe(dispatch);
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
                    gemms.Add(Gemm(device, m, n, k, dispatch, gemms));
                    done++;
                }
            probe(dispatch);
        }

        progress?.Report("bf16 and fp16 GEMMs");
        var formatGemms = FormatGemmPoint.Formats.SelectMany(f => FormatGemmPoint.FormatGemmShapes.Select(s => FormatGemm(device, f, s.M, s.N, s.K, dispatch))).ToArray();

        string machine = CpuModel() ?? Environment.MachineName;
        if (MklCodePath.ProfileNote is { } note) machine += "; " + note;
        var profile = new MachineProfile(device.type.ToString().ToLowerInvariant(), "fp32", torch.get_num_threads(), gemms, bandwidth,
            transcendentals, dispatch, autograd, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), machine);
        progress?.Report("reference convolutions and LSTM");
        // On a compacted heap, as verify times its steps: the grid's freed 64 MiB operands would otherwise be in it.
        MallocControl.Settle();
        // Batch 128 for the convolutions. Each reference is timed in three rounds that go round all of them, and the
        // median kept: one timing swung by ±15 % between calibrations minutes apart (the 1-channel stem 2.3–3.1×).
        var references = ConvReferences.Select(r => (r.Json, Batch: 128)).Concat(LstmBatches.Select(b => (Json: LstmReference, Batch: b))).ToArray();
        var rounds = Enumerable.Range(0, SlowdownRounds).Select(_ => references.Select(r => Slowdown(profile, r.Json, r.Batch)).ToArray()).ToArray();
        double MedianOf(int i) => rounds.Select(r => r[i]).Order().ElementAt(SlowdownRounds / 2);
        var conv = ConvReferences.Select((r, i) => new SlowdownPoint(r.K, MedianOf(i))).ToArray();
        var recurrent = LstmBatches.Select((b, i) => new SlowdownPoint(b, MedianOf(ConvReferences.Length + i))).ToArray();
        probe(dispatch);
        var measured = profile with
        {
            ConvSlowdowns = conv,
            RecurrentSlowdowns = recurrent,
            MaxPoolingSecondsPerElement = PoolingSeconds(device, true),
            AveragePoolingSecondsPerElement = PoolingSeconds(device, false),
            OptimizerSteps = [.. MeasuredOptimizers.SelectMany(kind => OptimizerSizes.Select(n => OptimizerStep(device, kind, n)))],
            Attention = [.. AttentionHeadDims.SelectMany(hd => AttentionSequences.Select(seq => AttentionRate(device, profile, hd, seq)))],
            RowOpRates = RowOpRates(device, profile),
            FormatGemms = formatGemms,
            Clock = TimingClock.Name(TimingClock.For(device)),
        };
        probe(dispatch);
        return measured;
    }

    /// <summary>
    /// The widths the router's row-wise kernels are measured at: per-row cost is flat-to-linear in the width while the row is
    /// narrower than a vector (softmax over 4,096 rows, one thread: 52 ns a row at 2 values, 84 at 4, 157 at 8) and
    /// drops once the kernel vectorises (22 ns at 16); topk over a router's logits grows with them (40 ns at 4, 745 at 64).
    /// </summary>
    public static readonly long[] RowOpWidths = [2, 4, 8, 16, 64, 256];

    /// <summary>
    /// Batch norm's widths (spatial sizes: 1 for features, 4 for a 2×2 map, up to a 16×16 map; wider planes are priced
    /// per value from the widest): per value it is flat from 16 up (1.8–1.9 ns forward, 0.9–1.1 backward on the build
    /// machine, one thread), 2.5× forward and 15× backward that at 4, below a vector's width. Measured alone over
    /// 1,024-value planes its backward was bimodal (1.0 or 2.4–2.6 ns a value, in all three rounds of some
    /// calibrations), where the suite's ResNet runs its 32×32 planes' backward at 0.6 in a step.
    /// </summary>
    public static readonly long[] BatchNormWidths = [1, 4, 16, 64, 256];

    /// <summary>Layer and RMS norm's widths (model dimensions); per value both fall with the width up to about 256.</summary>
    public static readonly long[] NormWidths = [16, 64, 256, 1024];

    public static IReadOnlyList<long> RowOpWidthsFor(string op) => op switch
    {
        RowOps.BatchNorm => BatchNormWidths,
        RowOps.LayerNorm or RowOps.RmsNorm => NormWidths,
        _ => RowOpWidths,
    };

    /// <summary>Rows of the measured router kernels: a router over 4,096 tokens (the suite's MoE at batch 64).</summary>
    public const int RowOpRows = 4096;

    /// <summary>Values of a measured normalisation (4 MiB, an activation of the suite's models): per-call costs spread thin.</summary>
    public const int NormValues = 1 << 20;

    /// <summary>Channels of the measured batch norm (its rows are samples × channels).</summary>
    public const int BatchNormChannels = 16;

    /// <summary>Rounds each normalisation point is timed in; the fastest is kept.</summary>
    public const int NormRounds = 5;

    /// <summary>
    /// Every row op at its widths. The router's kernels once each; the normalisations in <see cref="NormRounds"/> rounds
    /// that go round all their points, keeping each point's fastest forward and backward: over 1 Mi values their
    /// backward is bimodal between measurements in one process (batch norm over 1,024 values 2.4 or 1.1 ns a value,
    /// layer norm 2.7 or 1.05), and in a training step it ran at or below the fast mode (the suite's ResNet: 0.6).
    /// Each timing counts only the calls that took no page faults (<see cref="WarmMedian"/>'s faultFree): with every
    /// call counted, RmsNorm's backward read 2.5–37 ns a value by point and calibration, sticking at a slow figure in all
    /// three rounds for some points (gqa-decoder's step predicted 43–52 % high); without the faulting calls, 2.5–3.2 in
    /// three calibrations of five rounds.
    /// </summary>
    public static IReadOnlyList<RowOpPoint> RowOpRates(Device device, MachineProfile profile)
    {
        var router = RowOps.All.Where(op => !IsNorm(op)).SelectMany(op => RowOpWidthsFor(op).Select(w => RowOpRate(device, profile, op, w)));
        var norms = RowOps.All.Where(IsNorm).SelectMany(op => RowOpWidthsFor(op).Select(w => (op, w))).ToArray();
        var rounds = Enumerable.Range(0, NormRounds).Select(_ => norms.Select(n => RowOpRate(device, profile, n.op, n.w)).ToArray()).ToArray();
        var fastest = norms.Select((n, i) => new RowOpPoint(n.op, n.w, rounds.Min(r => r[i].ForwardSecondsPerRow), rounds.Min(r => r[i].BackwardSecondsPerRow)));
        return [.. router, .. fastest];
    }

    private static bool IsNorm(string op) => op is RowOps.BatchNorm or RowOps.LayerNorm or RowOps.RmsNorm;

    /// <summary>Rows <paramref name="op"/> is measured over at <paramref name="width"/>.</summary>
    public static long RowOpRowsFor(string op, long width) =>
        IsNorm(op) ? Math.Max(BatchNormChannels, NormValues / width) : RowOpRows;

    /// <summary>
    /// <paramref name="op"/> (<see cref="RowOps"/>) over rows of <paramref name="width"/> values, with autograd recording,
    /// in a step's cache state (<see cref="WarmMedian"/>): forward, and backward on its own (all but topk, which picks
    /// k = 2, or the width when narrower, forward only, as a router uses its indices). The router's kernels run over
    /// 4,096 rows of an input that requires a gradient; the normalisations over 1 Mi values, as the model builds them
    /// (batch norm in training over (N, 16, width) — (N, 16) at width 1 —, layer norm with its affine weights,
    /// ScaleLab's RmsNorm), their backward timed after the eviction pass as a step's later layers would leave the cache,
    /// and only their calls without page faults counted. Per row, less the launches and autograd records the tape counts for the op's nodes anyway.
    /// </summary>
    public static RowOpPoint RowOpRate(Device device, MachineProfile profile, string op, long width)
    {
        ArgumentNullException.ThrowIfNull(profile);
        using var enable = enable_grad();
        long rows = RowOpRowsFor(op, width);
        bool norm = IsNorm(op);
        long[] shape = op switch
        {
            RowOps.BatchNorm when width == 1 => [rows / BatchNormChannels, BatchNormChannels],
            RowOps.BatchNorm => [rows / BatchNormChannels, BatchNormChannels, width],
            _ => [rows, width],
        };
        using var x = randn(shape, device: device).requires_grad_(true);
        using nn.Module<Tensor, Tensor>? module = op switch
        {
            RowOps.BatchNorm => nn.BatchNorm1d(BatchNormChannels, device: device),
            RowOps.LayerNorm => nn.LayerNorm(width, device: device),
            RowOps.RmsNorm => new RmsNorm(width, 1e-5),
            _ => null,
        };
        if (op == RowOps.RmsNorm) module!.to(device);
        module?.train();
        Tensor Forward() => op switch
        {
            RowOps.Softmax => x.softmax(-1),
            RowOps.Sum => x.sum(-1),
            RowOps.TopK => x.topk((int)Math.Min(RowOps.TopKChoices, width), dim: -1).indexes,
            _ when module is not null => module.call(x),
            _ => throw new ArgumentException($"unknown row op '{op}'", nameof(op)),
        };
        void Clear()
        {
            x.grad?.zero_();
            foreach (var p in module?.parameters() ?? []) p.grad?.zero_();
        }

        double forward = WarmMedian(() =>
        {
            using var scope = NewDisposeScope();
            Forward();
        }, device, faultFree: norm);
        double backward = 0;
        int nodes = RowOps.Nodes(op);
        if (op != RowOps.TopK)
        {
            using Tensor gradient = op == RowOps.Sum ? ones(rows, device: device) : ones(shape, device: device);
            using var ownEviction = norm ? OwnEviction(device) : null;
            var eviction = norm ? _eviction ?? ownEviction : null;
            backward = BackwardMedian(Forward, gradient, Clear, device, afterForward: eviction is null ? null : () => eviction.add_(Scalars.One, Scalars.One), faultFree: norm);
            backward = Math.Max(backward - (nodes * profile.DispatchSeconds), 0.1 * backward);
        }

        double f = Math.Max(forward - (nodes * (profile.AutogradOpSeconds + profile.DispatchSeconds)), 0.1 * forward);
        return new RowOpPoint(op, width, f / rows, backward / rows);
    }

    /// <summary>
    /// The head dimensions and sequence lengths fused attention is measured at: per-score cost grows with the head
    /// dimension (forward + backward, oneMKL's generic path: 13 ns at 16, 27–34 at 32, 30–40 at 64, 68 at 128 on the build machine, one thread) and falls with the
    /// sequence (hd 32: 32 ns at 64 tokens, 19 at 256), so both are axes.
    /// </summary>
    public static readonly long[] AttentionHeadDims = [16, 32, 64, 128];

    public static readonly long[] AttentionSequences = [64, 256];

    /// <summary>Batch and heads of the measured attention (B·H = 32 head-sequences): the per-score rate grows 5–30 % from B·H 16 to 64.</summary>
    public const int AttentionBatch = 8, AttentionHeads = 4;

    /// <summary>
    /// Causal scaled_dot_product_attention at (batch 8, 4 heads, <paramref name="sequence"/>, <paramref name="headDim"/>)
    /// on the strided views a model's attention passes it (B, S, H·hd viewed as B, H, S, hd), with autograd recording:
    /// forward, and backward on its own (a dense output gradient laid out as the output is), each in a step's cache
    /// state — in a step the backward runs a whole forward and backward of later layers after its forward, so it is
    /// timed after the eviction pass too, not straight after the forward (that undercounted it 2×). Per score, less one
    /// launch (and its autograd record) the tape counts for the node anyway.
    /// </summary>
    public static AttentionPoint AttentionRate(Device device, MachineProfile profile, long headDim, long sequence)
    {
        ArgumentNullException.ThrowIfNull(profile);
        using var enable = enable_grad();
        long b = AttentionBatch, h = AttentionHeads;
        using var q = randn([b, sequence, h * headDim], device: device).requires_grad_(true);
        using var k = randn([b, sequence, h * headDim], device: device).requires_grad_(true);
        using var v = randn([b, sequence, h * headDim], device: device).requires_grad_(true);
        Tensor Forward() => nn.functional.scaled_dot_product_attention(
            q.view(b, sequence, h, headDim).transpose(1, 2), k.view(b, sequence, h, headDim).transpose(1, 2),
            v.view(b, sequence, h, headDim).transpose(1, 2), is_casual: true);
        Tensor gradient;
        using (no_grad())
        using (var sample = Forward())
            gradient = ones_like(sample);
        using var ownEviction = OwnEviction(device);
        var eviction = _eviction ?? ownEviction!;
        void Clear()
        {
            foreach (var t in new[] { q, k, v }) t.grad?.zero_();
        }

        using (gradient)
        {
            double forward = WarmMedian(() =>
            {
                using var scope = NewDisposeScope();
                Forward();
            }, device, prepare: Clear);
            double backward = BackwardMedian(Forward, gradient, Clear, device, afterForward: () => eviction.add_(Scalars.One, Scalars.One));
            double scores = (double)b * h * sequence * ((sequence + 1) / 2);
            double f = Math.Max(forward - profile.AutogradOpSeconds - profile.DispatchSeconds, 0.1 * forward);
            double back = Math.Max(backward - profile.DispatchSeconds, 0.1 * backward);
            return new AttentionPoint(headDim, sequence, f / scores, back / scores);
        }
    }

    /// <summary>
    /// The optimizers `train` runs, each measured at these parameter counts: 64 Ki (one chunk: the step's fixed cost
    /// shows), 256 Ki and 4 Mi (state far past the cache), every call in the cache state of <see cref="EvictionBytes"/>.
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
                tensors.Aggregate(zeros(1, device: device), (sum, t) => sum.add(t.Item2.sum(), Scalars.One)).backward();
            }
            double seconds = WarmMedian(() =>
            {
                using var scope = NewDisposeScope();
                optimizer.Step(1e-3);
            }, device, repeats: 15);
            return new OptimizerPoint(kind.Name(), parameters, seconds);
        }
        finally
        {
            foreach (var (_, p) in tensors) p.Dispose();
        }
    }

    /// <summary>2×2 max pooling of (64, 32, 26, 26) or average pooling of (64, 6, 28, 28), forward and backward, per input element.</summary>
    private static double PoolingSeconds(Device device, bool max)
    {
        using var enable = enable_grad();
        long[] shape = max ? [64, 32, 26, 26] : [64, 6, 28, 28];
        using var x = randn(shape, device: device, requires_grad: true);
        double seconds = WarmMedian(() =>
        {
            using var scope = NewDisposeScope();
            var y = max ? nn.functional.max_pool2d(x, 2) : nn.functional.avg_pool2d(x, 2);
            y.backward([ones_like(y)]);
        }, device, prepare: () => x.sum().Dispose());
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

    /// <summary>Rounds each reference layer is timed in (the median is kept).</summary>
    public const int SlowdownRounds = 3;

    /// <summary>The reference LSTM's batches: oneDNN changes its cell kernel past 64.</summary>
    public static readonly int[] LstmBatches = [64, 256];

    /// <summary>Reference LSTM (batches 64 and 256): 28 steps of 28 features into 128 units, the last state out.</summary>
    private const string LstmReference =
        """{"name": "lstm-28-128", "task": "classification", "input": [28, 28], "layers": [{"type": "lstm", "hidden": 128, "return_sequences": false}]}""";

    /// <summary>
    /// How much slower the reference layer's forward + backward runs than the tape's prediction of its GEMMs (the other
    /// parts of the prediction — bytes moved, launches, the weight gradient's accumulation — are taken as they are).
    /// </summary>
    public static double Slowdown(MachineProfile profile, string json, int batch)
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
        void Step()
        {
            using var scope = NewDisposeScope();
            // A dense output gradient, as the layer after it would send (sum()'s would be a stride-0 broadcast).
            var y = model.call(x);
            y.backward([ones_like(y)]);
        }

        double measured = WarmMedian(Step, CPU, prepare: () => x.sum().Dispose());
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
        var timing = TimingClock.For(device);
        double t0 = TimingClock.Now(timing);
        action();
        Synchronize(device);
        double once = Math.Max(TimingClock.Now(timing) - t0, 1e-7);
        int calls = (int)Math.Clamp(0.0005 / once, 1, 10_000);
        var blocks = new List<double>();
        var clock = Stopwatch.StartNew();
        while (blocks.Count < 8 || (clock.Elapsed.TotalSeconds < budget && blocks.Count < 2_000))
        {
            double start = TimingClock.Now(timing);
            for (int i = 0; i < calls; i++) action();
            Synchronize(device);
            blocks.Add((TimingClock.Now(timing) - start) / calls);
        }

        blocks.Sort();
        return blocks[blocks.Count / 2];
    }

    /// <summary>
    /// The cache state calibrate times kernels in (docs/verify.md, "step time"): before each timed call an in-place pass
    /// that reads and writes half the last-level cache, so the call finds its operands and the library's packing
    /// buffers behind that much fresh, dirty data — as in a training step, where a weight was last read a whole forward
    /// or backward ago and every kernel follows others that wrote their outputs. Timed back to back instead, small
    /// kernels run from L1 and L2, and the suite's decoders, MoE and ResNet stack measured 15–27 % slower than predicted
    /// (mean error −7.7 % over the suite); with this state the mean error is −0.6 %. A read-only pass of the same size
    /// left the mean at −9.4 %; a pass over the whole cache overshoots (+10 to +33 % on the decoders).
    /// </summary>
    public static long EvictionBytes { get; } = LastLevelCacheBytes() / 2;

    /// <summary>This CPU's last-level cache (sysfs index3, else index2), or 32 MiB where Linux does not say.</summary>
    private static long LastLevelCacheBytes()
    {
        foreach (string index in new[] { "index3", "index2" })
        {
            string file = $"/sys/devices/system/cpu/cpu0/cache/{index}/size";
            if (!File.Exists(file)) continue;
            string text = File.ReadAllText(file).Trim();
            long scale = text.EndsWith('K') ? 1L << 10 : text.EndsWith('M') ? 1L << 20 : 1;
            if (long.TryParse(text.TrimEnd('K', 'M'), NumberStyles.None, CultureInfo.InvariantCulture, out long size) && size > 0)
                return size * scale;
        }
        return 32L << 20;
    }

    /// <summary>
    /// The median of <paramref name="repeats"/> single calls of <paramref name="action"/>, each after an in-place pass
    /// over <see cref="EvictionBytes"/> and then <paramref name="prepare"/> (untimed): a GEMM reads its left operand
    /// there, as a step's kernel finds the activation the kernel before it wrote. The first call is untimed.
    /// </summary>
    [ThreadStatic]
    private static Tensor? _eviction;

    /// <summary>An eviction buffer of its own for a timing run outside <see cref="Measure"/> (which shares one); null inside it.</summary>
    private static Tensor? OwnEviction(Device device) => _eviction is null ? ones(Math.Max(1, EvictionBytes / 4), device: device) : null;

    /// <summary>
    /// The backward of <paramref name="forward"/>'s output on its own, in <see cref="WarmMedian"/>'s cache state: each
    /// repeat's forward runs untimed first (after <paramref name="clear"/> zeroes the inputs' gradients, then
    /// <paramref name="afterForward"/>, e.g. an eviction pass as a step's later layers would make), and only
    /// <c>backward(gradient)</c> is timed.
    /// </summary>
    private static double BackwardMedian(Func<Tensor> forward, Tensor gradient, Action clear, Device device, Action? afterForward = null, bool faultFree = false)
    {
        Tensor? output = null;
        void Prepare()
        {
            output?.Dispose();
            clear();
            output = forward();
            afterForward?.Invoke();
        }

        try
        {
            return WarmMedian(() =>
            {
                if (output is null) Prepare();
                output!.backward([gradient]);
                output.Dispose();
                output = null;
            }, device, prepare: Prepare, faultFree: faultFree);
        }
        finally
        {
            output?.Dispose();
        }
    }

    /// <summary>Minor page faults a timed call may take and still count as fault-free (64 KiB of fresh pages).</summary>
    public const long FaultFreePages = 16;

    /// <summary>
    /// The median of <paramref name="repeats"/> timed calls of <paramref name="action"/> in a step's cache state: each
    /// after an in-place pass over the eviction buffer and <paramref name="prepare"/>. With <paramref name="faultFree"/>
    /// (Linux), only calls that took at most <see cref="FaultFreePages"/> minor page faults count, when three or more did:
    /// a training step in steady state reuses the blocks its last step freed, where a calibration point allocates its
    /// tensors afresh and some calls get theirs from pages the kernel has to fault in (RmsNorm's backward over 1 Mi
    /// values on the build machine: 3.5–3.8 ms a call without faults, 5–19 ms with 1–8 thousand).
    /// </summary>
    public static double WarmMedian(Action action, Device device, int repeats = 9, Action? prepare = null, bool faultFree = false)
    {
        ArgumentNullException.ThrowIfNull(action);
        // One buffer for a whole calibration (Measure's): a fresh one allocated and filled before every shape also
        // slowed the large GEMMs, by 25–30 % (1024³ at 68 GFLOP/s), where a step's large GEMMs run near the hot rate.
        using var own = OwnEviction(device);
        var eviction = _eviction ?? own!;
        action();
        Synchronize(device);
        var clock = TimingClock.For(device);
        var seconds = new double[repeats];
        var clean = new List<double>(repeats);
        bool counting = faultFree && MinorFaults() is not null;
        for (int r = 0; r < repeats; r++)
        {
            eviction.add_(Scalars.One, Scalars.One);
            Synchronize(device);
            prepare?.Invoke();
            Synchronize(device);
            long faults = counting ? MinorFaults()!.Value : 0;
            double start = TimingClock.Now(clock);
            action();
            Synchronize(device);
            seconds[r] = TimingClock.Now(clock) - start;
            if (counting && MinorFaults()!.Value - faults <= FaultFreePages) clean.Add(seconds[r]);
        }

        var kept = clean.Count >= 3 ? [.. clean] : seconds;
        Array.Sort(kept);
        return kept[kept.Length / 2];
    }

    /// <summary>This process's minor page faults so far (/proc/self/stat's tenth field); null where there is no /proc.</summary>
    public static long? MinorFaults()
    {
        const string Stat = "/proc/self/stat";
        if (!OperatingSystem.IsLinux() || !File.Exists(Stat)) return null;
        string text = File.ReadAllText(Stat);
        // The command name (second field) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static double DispatchSeconds(Device device)
    {
        using var x = ones(16, device: device);
        using var step = 1e-7.ToScalar();
        return Median(() => x.add_(step, Scalars.One), 0.05, device);
    }

    /// <summary>A chain of 64 tiny recorded multiplies run forward and backward, per op, less the forward dispatch.</summary>
    private static double AutogradOpSeconds(Device device, double dispatch)
    {
        using var enable = enable_grad();
        using var x = ones(16, device: device, requires_grad: true);
        const int Chain = 64;
        using var factor = 1.0001.ToScalar();
        double seconds = Median(() =>
        {
            using var scope = NewDisposeScope();
            var y = x;
            for (int i = 0; i < Chain; i++) y = y.mul(factor);
            y.sum().backward();
        }, 0.1, device);
        return Math.Max(seconds / Chain - dispatch, 0.1 * dispatch);
    }

    private static BandwidthPoint Bandwidth(Device device, long workingSet, double dispatch, double budget)
    {
        long n = Math.Max(1, workingSet / 8);   // input and output, fp32
        using var a = randn(n, device: device);
        // Out of place, as training's kernels are (a fresh output from the allocator each call), on the allocator
        // settings verify times with (MallocControl.KeepFreedBlocks).
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

    private static GemmPoint Gemm(Device device, long m, long n, long k, double dispatch, List<GemmPoint> done)
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
        double seconds = WarmMedian(() => a.mm(b).Dispose(), device, prepare: () => a.sum().Dispose());
        return new GemmPoint(m, n, k, Math.Max(seconds - dispatch, 0.5 * seconds));
    }

    /// <summary>The grid shapes `verify` times again to see how fast the machine runs now (<see cref="RetimeGemms"/>): small, tall and skinny, large.</summary>
    public static readonly (long M, long N, long K)[] SpeedShapes = [(256, 256, 256), (4096, 256, 256), (1024, 1024, 1024)];

    /// <summary>
    /// <see cref="SpeedShapes"/> timed now exactly as calibrate timed its grid (the same cache state, dispatch taken
    /// out): the points <see cref="MachineProfile.GemmSpeed"/> sets beside the profile's.
    /// </summary>
    public static IReadOnlyList<GemmPoint> RetimeGemms(MachineProfile profile, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        device ??= CPU;
        using var noGrad = no_grad();
        using var own = OwnEviction(device);
        var shared = _eviction;
        _eviction = shared ?? own;
        try
        {
            return SpeedProbe(device, profile.DispatchSeconds);
        }
        finally
        {
            _eviction = shared;
        }
    }

    /// <summary><see cref="SpeedShapes"/> timed as the grid times them, <paramref name="dispatch"/> taken out: calibrate's probes and verify's.</summary>
    private static GemmPoint[] SpeedProbe(Device device, double dispatch) => [.. SpeedShapes.Select(s => Gemm(device, s.M, s.N, s.K, dispatch, []))];

    /// <summary>A call slower than this is timed twice more and the faster kept, not nine times (fp16's fallback: 0.12 s at 512³ on the build machine).</summary>
    public const double SlowCallSeconds = 0.02;

    /// <summary>
    /// (m × k)·(k × n) in <paramref name="precision"/> ("bf16" or "fp16"), operands made in that format. A CPU without a
    /// fast path for it runs a fallback a hundred times slower than fp32, so a call over <see cref="SlowCallSeconds"/>
    /// is timed in two more calls (the faster kept) instead of <see cref="WarmMedian"/>'s nine.
    /// </summary>
    public static FormatGemmPoint FormatGemm(Device device, string precision, long m, long n, long k, double dispatch)
    {
        if (!FormatGemmPoint.Formats.Contains(precision)) throw new ArgumentException($"unknown 16-bit format '{precision}'", nameof(precision));
        var type = GemmBenchmark.MatmulType(PrecisionInfo.Parse(precision, "precision"));
        using var scope = NewDisposeScope();
        var a = randn([m, k], device: device).to(type);
        var b = randn([k, n], device: device).to(type);
        var clock = TimingClock.For(device);
        double Once()
        {
            double start = TimingClock.Now(clock);
            a.mm(b).Dispose();
            Synchronize(device);
            return TimingClock.Now(clock) - start;
        }

        double first = Once();
        double seconds = first > SlowCallSeconds
            ? Math.Min(Once(), Once())
            : WarmMedian(() => a.mm(b).Dispose(), device, prepare: () => a.sum().Dispose());
        return new FormatGemmPoint(precision, m, n, k, Math.Max(seconds - dispatch, 0.5 * seconds));
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
