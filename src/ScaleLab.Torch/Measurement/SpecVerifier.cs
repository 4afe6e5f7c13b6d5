using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Spec;
using ScaleLab.Core.Verification;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Measurement;

/// <summary>How `verify` measures: batch sizes (at least three for the slope), timed steps per repeat, repeats, seed.</summary>
public sealed record VerifyOptions(IReadOnlyList<int> Batches, int Steps = 10, int Repeats = 3, int WarmupSteps = 3, long? SequenceLength = null, int Seed = 0, MachineProfile? Profile = null, string? ProfileSource = null);

/// <summary>
/// Builds a spec in TorchSharp, trains it with ScaleLab's Adam on synthetic data of the right shapes (verify measures
/// cost, not accuracy) and sets the measurements beside <see cref="StepMemory"/> and <see cref="StepTimeEstimator"/>
/// (docs/verify.md). Memory first, with the allocator pinned (<see cref="MallocControl"/>) before anything large is
/// allocated: a throw-away model warms every shape (JIT, oneDNN primitives, thread pools), then for every repeat and
/// batch size a fresh model is built on a trimmed, collected baseline, trained one step (gradients now exist), the
/// RSS peak is reset and two more steps run; the peak above the baseline is the step's memory. Time second, with
/// glibc's own thresholds: each repeat times <see cref="VerifyOptions.Steps"/> steps at every batch size after a
/// warm-up, on the wall clock and on the timing thread's CPU clock (<see cref="TimingClock"/>: the verdict's at one
/// CPU thread), with the machine's GEMM speed against its profile probed before and after every batch's steps (the
/// prediction is priced at it: <see cref="BatchVerification.PredictedSeconds"/>). Medians over repeats; their spread
/// is the noise. Several models are measured memory-first for all of them (<see cref="RunAll"/>): a heap left by an
/// earlier model's timing would distort the next one's memory.
/// </summary>
public static class SpecVerifier
{
    public static VerificationResult Run(ModelSpec spec, VerifyOptions options, IProgress<string>? progress = null) =>
        RunAll([(spec, options)], progress)[0];

    /// <summary>
    /// Verifies several models: every model's memory first, then every model's time, so no model's memory is measured
    /// on a heap that an earlier model's timing left behind. With <paramref name="measureMemory"/> each model's memory
    /// is measured there — `verify --suite` runs each in a process of its own, because glibc serves a later model's
    /// tensors from the free chunks an earlier one's left in the heap (below the pinned mmap threshold's reach) and
    /// those stay resident when freed: the Keras CNN measured 2.0 MiB (10.4–10.6 %) more at batch 64 after the MLP and LeNet-5
    /// than alone. Without it, memory is measured here, on an allocator pinned from the start.
    /// </summary>
    public static IReadOnlyList<VerificationResult> RunAll(IReadOnlyList<(ModelSpec Spec, VerifyOptions Options)> models, IProgress<string>? progress = null,
        Func<ModelSpec, VerifyOptions, MemoryMeasurement>? measureMemory = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (var (spec, options) in models) Validate(spec, options);
        var costs = models.Select(m => ModelAccounting.Account(m.Spec, m.Options.SequenceLength)).ToArray();
        MemoryMeasurement[] memory;
        if (measureMemory is not null)
        {
            memory = [.. models.Select(m => measureMemory(m.Spec, m.Options))];
            MallocControl.KeepFreedBlocks();   // the thresholds time is measured with, as after an in-process measurement
        }
        else
        {
            using var pin = MallocControl.PinWhileMeasuring();
            memory = [.. models.Select((m, i) => MeasureMemory(m.Spec, costs[i], m.Options, pin.Pinned, i == 0, progress))];
        }

        // Repeats go round the models (every model's first repeat, then every model's second …), each on a model built
        // afresh, so a slow spell of a shared machine lands on one repeat of several models, not on every repeat of one.
        // The machine's GEMM speed against its profile's, before and after: a shared host's drift, reported beside the
        // figures; the first and last of the probes taken beside the steps.
        var probes = new List<double?>();
        var time = models.Select(m => new TimeSamples(m.Options.Batches)).ToArray();
        int rounds = models.Max(m => m.Options.Repeats);
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < models.Count; i++)
                if (r < models[i].Options.Repeats) MeasureTime(models[i].Spec, costs[i], models[i].Options, r, time[i], probes, progress);
        double? before = probes.FirstOrDefault(p => p is not null), after = probes.LastOrDefault(p => p is not null);
        return [.. models.Select((m, i) => Combine(m.Spec, costs[i], m.Options, memory[i], time[i], m.Options.Profile is null ? null : (before, after)))];
    }

    /// <summary>
    /// One model's memory, measured in this process on an allocator pinned for it: what `verify --suite` runs in a
    /// process of its own for each model (call it before anything large is allocated; see <see cref="RunAll"/>).
    /// <paramref name="firstInProcess"/>: no other model was measured in this process before (it is recorded, not checked).
    /// </summary>
    public static MemoryMeasurement MeasureMemory(ModelSpec spec, VerifyOptions options, bool firstInProcess, IProgress<string>? progress = null)
    {
        Validate(spec, options);
        var cost = ModelAccounting.Account(spec, options.SequenceLength);
        using var pin = MallocControl.PinWhileMeasuring();
        return MeasureMemory(spec, cost, options, pin.Pinned, firstInProcess, progress);
    }

    private static void Validate(ModelSpec spec, VerifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Batches.Count < 1 || options.Batches.Any(b => b < 1)) throw new ArgumentException("batch sizes must be at least 1", nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repeats, 1);
    }

    private static MemoryMeasurement MeasureMemory(ModelSpec spec, ModelCost cost, VerifyOptions options, bool pinned, bool firstInProcess, IProgress<string>? progress)
    {
        progress?.Report($"{spec.Name}: warming up every shape");
        long measuredParameters;
        using (GlobalGenerator.Seed(options.Seed))
        using (var model = ModuleBuilder.Build(spec))
        using (var optimizer = NewAdam(model))
        {
            measuredParameters = model.parameters().Sum(p => p.numel());
            foreach (int b in options.Batches) TimeSteps(model, optimizer, spec, cost, b, options.WarmupSteps);
        }

        var bytes = options.Batches.ToDictionary(b => b, _ => new List<long>());
        var baselines = new List<long>();
        bool reset = true;
        for (int r = 0; r < options.Repeats; r++)
            foreach (int b in options.Batches)
            {
                progress?.Report($"{spec.Name}: memory at batch {b}, repeat {r + 1} of {options.Repeats}");
                var (peak, baseline, wasReset) = MeasurePeak(spec, cost, b, options.Seed, pinned);
                bytes[b].Add(peak);
                baselines.Add(baseline);
                reset &= wasReset;
            }

        return new MemoryMeasurement(measuredParameters, [.. options.Batches.Select(b => new BatchMemorySamples(b, bytes[b]))], MedianLong(baselines), reset, pinned, firstInProcess);
    }

    /// <summary>
    /// One model's step times, per batch: the median of each repeat's steps on the wall clock and on the timing
    /// thread's CPU clock, and the host's steal over every timed stretch (<see cref="HostCpuTime"/>).
    /// </summary>
    private sealed class TimeSamples(IReadOnlyList<int> batches)
    {
        public Dictionary<int, List<double>> Wall { get; } = batches.ToDictionary(b => b, _ => new List<double>());

        public Dictionary<int, List<double>> Cpu { get; } = batches.ToDictionary(b => b, _ => new List<double>());

        /// <summary>Per repeat, the machine's GEMM speed against its profile beside that repeat's steps (<see cref="MachineSpeed"/>); NaN where it was not measured.</summary>
        public Dictionary<int, List<double>> Speed { get; } = batches.ToDictionary(b => b, _ => new List<double>());

        /// <summary>The host's ticks summed over the timed stretches; null once a reading failed.</summary>
        public HostCpuTime? Host { get; set; } = default(HostCpuTime);

        public double? StealFraction => Host is { } h ? HostCpuTime.StealFraction(default, h) : null;
    }

    /// <summary>Repeat <paramref name="repeat"/> of one model's timing: built, warmed up at every batch, each batch timed.</summary>
    private static void MeasureTime(ModelSpec spec, ModelCost cost, VerifyOptions options, int repeat, TimeSamples samples, List<double?> probes,
        IProgress<string>? progress)
    {
        double? Probe()
        {
            double? speed = MachineSpeed(options.Profile);
            probes.Add(speed);
            return speed;
        }

        // A heap compacted first: what the models before this one freed (the suite times eight in one process) would
        // otherwise leave it fragmented, and the same model timed 20 % slower after the others (small-moe at batch 4:
        // 29.8 ms in the suite against 24.6 alone).
        MallocControl.Settle();
        using var seeded = GlobalGenerator.Seed(options.Seed);
        using var model = ModuleBuilder.Build(spec);
        using var optimizer = NewAdam(model);
        foreach (int b in options.Batches) TimeSteps(model, optimizer, spec, cost, b, options.WarmupSteps);
        double? speedBefore = Probe();
        foreach (int b in options.Batches)
        {
            progress?.Report($"{spec.Name}: timing batch {b}, repeat {repeat + 1} of {options.Repeats}");
            var from = HostCpuTime.Read();
            long? faultsFrom = MachineCalibration.MinorFaults();
            var (wall, cpu) = TimeSteps(model, optimizer, spec, cost, b, options.Steps);
            long? faults = MachineCalibration.MinorFaults() - faultsFrom;
            var to = HostCpuTime.Read();
            samples.Host = from is { } f && to is { } t && samples.Host is { } h ? new HostCpuTime(h.Steal + t.Steal - f.Steal, h.Total + t.Total - f.Total) : null;

            // The speed probe after this batch is the one before the next: a batch's speed is the geometric mean of the two beside it.
            double? speedAfter = Probe();
            double? speed = speedBefore is double x && speedAfter is double y && x > 0 && y > 0 ? Math.Sqrt(x * y) : null;
            speedBefore = speedAfter;

            samples.Wall[b].Add(MachineCalibration.Median(wall));
            samples.Cpu[b].Add(MachineCalibration.Median(cpu));
            samples.Speed[b].Add(speed ?? double.NaN);
            progress?.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{spec.Name}: batch {b}, repeat {repeat + 1}: {samples.Wall[b][^1] * 1000:0.00} ms a step, {samples.Cpu[b][^1] * 1000:0.00} ms of CPU{(faults is { } n ? $", {n / (double)options.Steps:0} page faults a step" : "")}{(speed is { } z ? $", GEMMs at {z:0.00}× the profile's speed" : "")}"));
        }
    }

    private static VerificationResult Combine(ModelSpec spec, ModelCost cost, VerifyOptions options, MemoryMeasurement memory, TimeSamples samples,
        (double? Before, double? After)? gemmSpeed)
    {
        // The verdict's clock: the thread's CPU time where all the work runs on it (one thread, the CPU), else the wall clock.
        var clock = TimingClock.For(CPU);
        var seconds = clock == ClockKind.ThreadCpu ? samples.Cpu : samples.Wall;
        var tape = StepMemory.Tape(cost);
        var batches = options.Batches.Select(b =>
        {
            var estimate = StepMemory.Estimate(cost, tape, b, OptimizerKind.Adam, Core.Accounting.Precision.Fp32);
            var time = options.Profile is { } profile ? StepTimeEstimator.Estimate(tape, b, cost.Parameters, OptimizerKind.Adam, profile) : null;
            var measured = memory.PeaksAt(b);
            var wall = samples.Wall[b];
            return new BatchVerification(b, estimate, MedianLong(measured), measured.Max() - measured.Min(), time, MachineCalibration.Median(seconds[b]), seconds[b].Max() - seconds[b].Min(),
                MachineCalibration.Median(wall), wall.Max() - wall.Min(), time is null ? null : PairedSpeed(seconds[b], samples.Speed[b]));
        }).ToArray();
        var conditions = new VerifyConditions(memory.PeakReset, memory.AllocatorPinned, TieredCompilationOff, options.Repeats, options.Steps, options.ProfileSource, memory.FirstInProcess,
            gemmSpeed?.Before, gemmSpeed?.After, TimingClock.Name(clock), samples.StealFraction, options.Profile?.Clock);
        return new VerificationResult(spec.Name, cost.SequenceLength, cost.Parameters, memory.MeasuredParameters, memory.BaselineBytes, batches,
            torch.get_num_threads(), "cpu", conditions);
    }

    /// <summary>
    /// How fast the machine runs GEMMs now against its profile (<see cref="MachineProfile.GemmSpeed"/> over
    /// <see cref="MachineCalibration.SpeedShapes"/>, timed as calibrate timed them); null without a profile. verify
    /// takes it beside every batch's timed steps: a shared host's speed moves by a fifth within seconds (docs/verify.md, "Drift").
    /// </summary>
    private static double? MachineSpeed(MachineProfile? profile) => profile?.GemmSpeed(MachineCalibration.RetimeGemms(profile));

    /// <summary>
    /// The speed a batch's prediction is priced at: each repeat's step time times the speed probed beside it (the step
    /// as it would have run at the profile's speed), the median of those over the median step time — the speed itself
    /// when it held still, and a repeat run in a slow spell is judged at that spell's speed. Null when no repeat's speed
    /// was measured; with only some measured, the median of those.
    /// </summary>
    public static double? PairedSpeed(IReadOnlyList<double> seconds, IReadOnlyList<double> speeds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        ArgumentNullException.ThrowIfNull(speeds);
        var measured = speeds.Where(v => v > 0 && double.IsFinite(v)).ToList();
        if (measured.Count == 0) return null;
        if (measured.Count < speeds.Count || speeds.Count != seconds.Count) return MachineCalibration.Median(measured);
        double median = MachineCalibration.Median(seconds);
        return median > 0 ? MachineCalibration.Median([.. seconds.Zip(speeds, (t, v) => t * v)]) / median : MachineCalibration.Median(measured);
    }

    /// <summary>True when this process runs with .NET's tiered compilation off (DOTNET_TieredCompilation=0), as `scalelab verify` arranges.</summary>
    public static bool TieredCompilationOff => Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") == "0";

    /// <summary>
    /// The memory of one steady-state step at batch <paramref name="batch"/>: peak RSS above a baseline taken before the
    /// model exists, so weights, gradients, optimizer state, the batch and the step's own tensors are all inside it.
    /// </summary>
    private static (long Peak, long Baseline, bool Reset) MeasurePeak(ModelSpec spec, ModelCost cost, int batch, int seed, bool pinned)
    {
        MallocControl.Settle();
        long peak;
        using var plugs = MallocControl.PlugHeapHoles(pinned);   // the step's tensors mapped, not cut from a hole a free elsewhere left
        using var probe = MemoryProbe.Start();
        using (GlobalGenerator.Seed(seed))
        using (var model = ModuleBuilder.Build(spec))
        using (var optimizer = NewAdam(model))
        {
            var (inputs, targets) = SyntheticBatch(spec, cost, batch, seed);
            using (inputs)
            using (targets)
            {
                Step(model, optimizer, spec, inputs, targets);   // gradients exist from here on, as in training
                probe.BeginPeak();
                Step(model, optimizer, spec, inputs, targets);
                Step(model, optimizer, spec, inputs, targets);
                peak = probe.PeakAboveBaselineBytes();
            }
        }

        plugs.Dispose();
        MallocControl.Settle();
        return (peak, probe.BaselineBytes, probe.PeakIsPhaseOwn);
    }

    /// <summary>Each step's wall-clock and thread-CPU seconds.</summary>
    private static (List<double> Wall, List<double> Cpu) TimeSteps(nn.Module<Tensor, Tensor> model, Training.Optimizer optimizer, ModelSpec spec, ModelCost cost, int batch, int steps)
    {
        var (inputs, targets) = SyntheticBatch(spec, cost, batch, batch);
        using (inputs)
        using (targets)
        {
            var timer = new StepTimer(0);
            for (int i = 0; i < steps; i++)
            {
                timer.Start();
                Step(model, optimizer, spec, inputs, targets);
                timer.Stop();
            }

            return ([.. timer.Seconds], [.. timer.CpuSeconds]);
        }
    }

    /// <summary>One training step as the Trainer takes it: zero_grad in place, forward, loss, backward, Adam.</summary>
    private static void Step(nn.Module<Tensor, Tensor> model, Training.Optimizer optimizer, ModelSpec spec, Tensor inputs, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.ZeroGrad();
        var output = model.forward(inputs);
        var loss = Loss(spec.Task, output, targets);
        loss.backward();
        optimizer.Step(1e-3);
    }

    private static Adam NewAdam(nn.Module<Tensor, Tensor> model) =>
        new([.. model.named_parameters().Select(p => (p.name, p.parameter))], 0.9, 0.999, 1e-8, 0, decoupled: false);

    /// <summary>Classification and language models: cross-entropy on logits; regression: MSE.</summary>
    private static Tensor Loss(TaskKind task, Tensor output, Tensor targets) => task switch
    {
        TaskKind.Regression => nn.functional.mse_loss(output, targets),
        _ => nn.functional.cross_entropy(output.reshape(-1, output.shape[^1]), targets.reshape(-1)),
    };

    /// <summary>
    /// Random inputs of the spec's shape (token ids below the vocabulary for token models) and targets shaped like the
    /// model's output, which comes from shape inference: running the model without autograd would create oneDNN's
    /// inference primitives, which training never uses, inside the measurement.
    /// </summary>
    private static (Tensor Inputs, Tensor Targets) SyntheticBatch(ModelSpec spec, ModelCost cost, int batch, int seed)
    {
        using var generator = new Generator(seed: (ulong)(7 + seed));
        Tensor inputs;
        long[] outputShape;
        if (spec.Transformer is { } t)
        {
            inputs = randint(t.VocabSize, [batch, cost.SequenceLength], dtype: ScalarType.Int64, generator: generator);   // (B, S)
            outputShape = [batch, cost.SequenceLength, t.VocabSize];                                                        // (B, S, V)
        }
        else
        {
            inputs = spec.InputIsTokens
                ? randint(Vocabulary(spec), [batch, .. cost.Spec.Input!.Dims], dtype: ScalarType.Int64, generator: generator)   // (B, S)
                : randn([batch, .. cost.Spec.Input!.Dims], generator: generator);                                                // (B, ...input)
            outputShape = [batch, .. ShapeInference.Infer(cost.Spec).Dims];
        }

        var targets = spec.Task == TaskKind.Regression
            ? randn(outputShape, generator: generator)
            : randint(outputShape[^1], outputShape[..^1], dtype: ScalarType.Int64, generator: generator);
        return (inputs, targets);
    }

    private static long Vocabulary(ModelSpec spec) =>
        spec.Layers.OfType<EmbeddingLayer>().Select(e => e.Vocab).FirstOrDefault(2);

    private static long MedianLong(IReadOnlyList<long> values) => (long)MachineCalibration.Median([.. values.Select(v => (double)v)]);
}
