// Training throughput of the seed MLP (784-1000-500-250 + ReLU + 10-class head) on the embedded Fashion-MNIST subset,
// in one run, for batch {64, 256} x threads {1, 2}:
//   - ScaleLab's Trainer.Run (the `scalelab train` path);
//   - a bare TorchSharp loop, batches gathered inline on the training thread (the reference);
//   - the bare loop fed by BatchLoader's background prefetch (is a worker thread worth it on the CPU?);
//   - PyTorch on this machine (pytorch_loop.py; torch.set_num_threads and OPENBLAS_NUM_THREADS/OMP_NUM_THREADS = N);
// then, next to a competing two-thread PyTorch training loop, the Trainer at 1, 2 and the default thread count; and the
// study's smallest width (31-16-8, 25,073 parameters), Trainer vs bare loop, to show the fixed cost per step, and that
// width as the study trains it (9,000 samples, batch 64) against the issue's figure for it.
// Every variant runs --repeats times, interleaved (rotating which goes first) so background load hits all alike; the
// first epoch of each run is a warm-up and not counted; figures are median steady-state wall and CPU time per step,
// with the spread (min..max over runs). Usage:
//   dotnet run -c Release --project bench/train-throughput -- [--samples 2000] [--epochs 3] [--repeats 3] [--python /usr/bin/python3]
//       [--parts grid,contention,small,study] [--quick]
// --samples caps the data (DataRequest.Limit) before the validation carve, so 2000 -> 1800 training samples.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;
using ScaleLab.Torch;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Measurement;
using ScaleLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

var options = Arguments.Parse(args);
MklCodePath.Prepare();   // before the first GEMM, as every scalelab command does
string embedded = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");
var preset = ModelPresets.Load("mlp-784-1000-500-250");
var seed = preset with { Name = "seed-mlp-10", Layers = [.. preset.Layers, new ActivationLayer(ActivationKind.Relu), new LinearLayer(10)] };
var smallest = seed with
{
    Name = "mlp-width-0.03125",
    Layers = [new FlattenLayer(), new LinearLayer(31), new ActivationLayer(ActivationKind.Relu), new LinearLayer(16), new ActivationLayer(ActivationKind.Relu),
        new LinearLayer(8), new ActivationLayer(ActivationKind.Relu), new LinearLayer(10)],
};
using var data = DataSources.Load(new DataRequest { Directory = embedded, Limit = options.Samples });
var info = TorchSharpInfo.Current();
Console.WriteLine(Text.Invariant($"TorchSharp {info.TorchSharpVersion} (libtorch {info.LibTorchVersion}), .NET {info.DotNetVersion}, {info.LogicalCores} logical cores; load average at the start: {Load.Now()}"));
Console.WriteLine(MklCodePath.Describe());
Console.WriteLine(Text.Invariant($"data: {data.Train.Count} training samples, {options.Epochs} epochs x {options.Repeats} repeats per variant; FLOPs counted without the input layer's input gradient"));

var peaks = new Dictionary<int, double>();
foreach (int t in new[] { 1, 2 })
{
    torch.set_num_threads(t);
    peaks[t] = GemmBenchmark.Measure(Precision.Fp32, TimeSpan.FromSeconds(1)).FlopsPerSecond;
    Console.WriteLine(Text.Invariant($"GEMM peak fp32, {t} thread(s): {peaks[t] / 1e9:F1} GFLOP/s (1024^2 matmul)"));
}

var table = new Table(data.Train.Count, peaks);
foreach (int batch in options.Parts.Contains("grid", StringComparison.Ordinal) ? options.Batches : [])
{
    foreach (int threads in new[] { 1, 2 })
    {
        var trainer = new StepClock();
        var bare = new StepClock();
        var prefetch = new StepClock();
        var variants = new Action[]
        {
            () => TrainerRun.Run(seed, embedded, options, batch, threads, trainer),
            () => BareLoop.Run(seed, data.Train, batch, options.Epochs, threads, bare, prefetch: false),
            () => BareLoop.Run(seed, data.Train, batch, options.Epochs, threads, prefetch, prefetch: true),
        };
        for (int r = 0; r < options.Repeats; r++)
            for (int v = 0; v < variants.Length; v++) variants[(r + v) % variants.Length]();
        var python = PyTorchLoop.Run(options, embedded, data.Train.Count, batch, threads);
        string group = Text.Invariant($"batch {batch}, {threads} thread(s)");
        table.Add(group, "ScaleLab Trainer.Run", seed, batch, threads, trainer, bare, python.Clock);
        table.Add(group, "bare TorchSharp loop (inline)", seed, batch, threads, bare, bare, python.Clock);
        table.Add(group, "bare loop + BatchLoader prefetch", seed, batch, threads, prefetch, bare, python.Clock);
        if (python.Clock is { } py) table.Add(group, $"PyTorch {python.Version}", seed, batch, threads, py, bare, py);
        else Console.WriteLine($"PyTorch: not measured ({python.Error})");
        table.Print(group);
    }
}

// Next to a competing two-thread PyTorch training loop: the default thread count against 1 and 2.
if (options.Parts.Contains("contention", StringComparison.Ordinal))
{
    using var competitor = PyTorchLoop.StartCompetitor(options, embedded, data.Train.Count);
    Thread.Sleep(2000);   // past its start-up, into its training loop
    var clocks = new Dictionary<string, StepClock> { ["1"] = new(), ["2"] = new(), ["default"] = new() };
    for (int r = 0; r < options.Repeats; r++)
        foreach (var (name, clock) in clocks.Skip(r % clocks.Count).Concat(clocks.Take(r % clocks.Count)))
            TrainerRun.Run(seed, embedded, options, 64, name == "default" ? null : int.Parse(name, CultureInfo.InvariantCulture), clock);
    string group = "batch 64, next to a two-thread PyTorch loop";
    var best = clocks["1"].Median().Wall < clocks["2"].Median().Wall ? clocks["1"] : clocks["2"];
    foreach (var (name, clock) in clocks) table.Add(group, $"Trainer, threads {name}", seed, 64, name == "1" ? 1 : 2, clock, best, null);
    table.Print(group, baseline: "better of 1 and 2");
    if (!competitor.HasExited) competitor.Kill();
}

// The study's smallest width: what is left is the fixed cost per step.
foreach (int threads in options.Parts.Contains("small", StringComparison.Ordinal) ? new[] { 1, 2 } : [])
{
    var trainer = new StepClock();
    var bare = new StepClock();
    for (int r = 0; r < options.Repeats; r++)
    {
        TrainerRun.Run(smallest, embedded, options, 128, threads, trainer);
        BareLoop.Run(smallest, data.Train, 128, options.Epochs, threads, bare, prefetch: false);
    }
    string group = Text.Invariant($"25K-parameter width, batch 128, {threads} thread(s)");
    table.Add(group, "ScaleLab Trainer.Run", smallest, 128, threads, trainer, bare, null);
    table.Add(group, "bare TorchSharp loop (inline)", smallest, 128, threads, bare, bare, null);
    table.Print(group);
}

// The same width as `scalelab study` trains it: all 9,000 training samples of the embedded subset, batch 64, Adam.
// The issue measured it in the study at 0.277 s an epoch (its fit: 0.27 s + 0.14 s per forward MFLOP per sample, at
// 0.05 MFLOP), 9,000 / 0.277 = 32,500 samples/s; the target is 3x that.
if (options.Parts.Contains("study", StringComparison.Ordinal))
{
    const double IssueSamplesPerSecond = 9_000 / 0.277;
    using var full = DataSources.Load(new DataRequest { Directory = embedded });
    var studyTable = new Table(full.Train.Count, peaks);
    foreach (int threads in new[] { 1, 2 })
    {
        var trainer = new StepClock();
        var bare = new StepClock();
        for (int r = 0; r < options.Repeats; r++)
        {
            TrainerRun.Run(smallest, embedded, options with { Samples = null }, 64, threads, trainer);
            BareLoop.Run(smallest, full.Train, 64, options.Epochs, threads, bare, prefetch: false);
        }
        string group = Text.Invariant($"25K-parameter width as the study trains it, batch 64, {threads} thread(s)");
        studyTable.Add(group, "ScaleLab Trainer.Run", smallest, 64, threads, trainer, bare, null);
        studyTable.Add(group, "bare TorchSharp loop (inline)", smallest, 64, threads, bare, bare, null);
        studyTable.Print(group);
        Console.WriteLine(Text.Invariant($"  Trainer vs the issue's {IssueSamplesPerSecond:F0} samples/s for this width: {64 / trainer.Median().Wall / IssueSamplesPerSecond:F2}x (target 3x)"));
    }
}
Console.WriteLine(Text.Invariant($"load average at the end: {Load.Now()}"));

internal sealed record Arguments(int Epochs, int Repeats, string Python, long? Samples, int[] Batches, string Parts)
{
    public static Arguments Parse(string[] args)
    {
        var a = new Arguments(3, 3, "/usr/bin/python3", 2000, [64, 256], "grid,contention,small,study");
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--quick")
            {
                a = a with { Repeats = 1, Batches = [64] };
                continue;
            }
            string v = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            a = name switch
            {
                "--epochs" => a with { Epochs = int.Parse(v, CultureInfo.InvariantCulture) },
                "--repeats" => a with { Repeats = int.Parse(v, CultureInfo.InvariantCulture) },
                "--python" => a with { Python = v },
                "--parts" => a with { Parts = v },
                "--samples" => a with { Samples = v == "all" ? null : long.Parse(v, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {name}; see the header of Program.cs"),
            };
        }
        if (a.Epochs < 2) throw new ArgumentException("--epochs must be at least 2: the first epoch of each run is a warm-up");
        return a;
    }
}

internal static class Text
{
    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

internal static class Load
{
    public static string Now() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}

/// <summary>Rows of the result, printed a group at a time.</summary>
internal sealed class Table(long trainSamples, IReadOnlyDictionary<int, double> peaks)
{
    private readonly List<(string Group, string Line)> _rows = [];

    public void Add(string group, string name, ModelSpec spec, int batch, int threads, StepClock clock, StepClock reference, StepClock? python)
    {
        var (wall, cpu) = clock.Median();
        var (lo, hi) = clock.WallRange();
        double flops = RealTrainingFlops(spec) * batch;
        string vsPython = python is null ? "" : Text.Invariant($"{wall / python.Median().Wall,8:F3}x");
        _rows.Add((group, Text.Invariant(
            $"  {name,-34} {wall * 1e3,8:F2} ({lo * 1e3:F1}..{hi * 1e3:F1}) {cpu * 1e3,8:F2} {batch / wall,9:F0} {flops / wall / 1e9,8:F2} {flops / wall / peaks[threads] * 100,6:F1}% {wall / reference.Median().Wall,8:F3}x {vsPython}")));
    }

    public void Print(string group, string baseline = "bare")
    {
        Console.WriteLine();
        Console.WriteLine(Text.Invariant($"{group} (load average {Load.Now()}; {trainSamples} samples an epoch)"));
        Console.WriteLine($"  {"variant",-34} wall ms/step (spread)  CPU ms  samples/s  GFLOP/s  of peak  vs {baseline}  vs PyTorch");
        foreach (var (_, line) in _rows.Where(r => r.Group == group)) Console.WriteLine(line);
    }

    /// <summary>Forward 2·MACs, backward 2·MACs for weight gradients plus 2·MACs for input gradients except the first layer's (nobody needs ∂loss/∂pixels).</summary>
    private static double RealTrainingFlops(ModelSpec spec)
    {
        var cost = ModelAccounting.Account(spec);
        var first = spec.Layers.OfType<LinearLayer>().First();
        double firstMacs = (double)spec.Input!.Elements * first.Units;
        return cost.TrainingFlops - (2 * firstMacs);
    }
}

/// <summary>
/// Steady-state time per step, wall and process CPU: marked at the end of step 1 and of the last step of each epoch
/// after the first. CPU time (all threads of the process) is the steadier figure on a shared machine, where wall time
/// includes waiting for a core.
/// </summary>
internal sealed class StepClock
{
    private readonly List<double> _wall = [], _cpu = [];
    private long _t0;
    private TimeSpan _c0;

    public void Mark(int epoch, long step, long steps)
    {
        if (epoch < 2 || steps < 2) return;
        if (step == 1)
        {
            _t0 = Stopwatch.GetTimestamp();
            _c0 = Process.GetCurrentProcess().TotalProcessorTime;
        }
        else if (step == steps)
        {
            _wall.Add(Stopwatch.GetElapsedTime(_t0).TotalSeconds / (steps - 1));
            _cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - _c0).TotalSeconds / (steps - 1));
        }
    }

    public void Add(double wall, double cpu)
    {
        _wall.Add(wall);
        _cpu.Add(cpu);
    }

    public (double Wall, double Cpu) Median() => (StepTimes.From(_wall).MedianSeconds, StepTimes.From(_cpu).MedianSeconds);

    public (double Min, double Max) WallRange() => (_wall.Min(), _wall.Max());
}

/// <summary>The reference: the loop anyone would write by hand, with the Trainer's per-epoch order and torch.optim.Adam.</summary>
internal static class BareLoop
{
    /// <summary>With <paramref name="prefetch"/>, batches come from BatchLoader's worker thread; otherwise they are gathered inline.</summary>
    public static void Run(ModelSpec spec, TensorDataSet train, int batch, int epochs, int threads, StepClock clock, bool prefetch)
    {
        using var scope = TorchThreads.Use(threads);
        torch.manual_seed(0);
        using var model = ModuleBuilder.Build(spec);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        long steps = (train.Count + batch - 1) / batch;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            if (prefetch)
            {
                using var loader = new BatchLoader(train, batch, shuffle: true, seed: 0, epoch, CPU);   // background worker (the default)
                long step = 0;
                foreach (var b in loader)
                {
                    using (b)
                    using (torch.NewDisposeScope()) Step(model, optimizer, b.Inputs, b.Targets);
                    clock.Mark(epoch, ++step, loader.BatchCount);
                }
                continue;
            }

            var order = SeededOrder.Permutation(train.Count, seed: 0, epoch);
            for (long step = 1; step <= steps; step++)
            {
                using (torch.NewDisposeScope())
                {
                    long start = (step - 1) * batch;
                    var index = tensor(order[(int)start..(int)Math.Min(start + batch, train.Count)]);   // (B)
                    Step(model, optimizer, train.Inputs.index_select(0, index), train.Targets.index_select(0, index));
                }
                clock.Mark(epoch, step, steps);
            }
        }
    }

    private static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor x, Tensor y)
    {
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.forward(x), y);   // x (B, 1, 28, 28), logits (B, 10)
        loss.backward();
        optimizer.step();
    }
}

/// <summary>`scalelab train`'s library path, timed per epoch through its progress events.</summary>
internal static class TrainerRun
{
    public static void Run(ModelSpec spec, string dataDirectory, Arguments options, int batch, int? threads, StepClock clock)
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = new TrainingConfig
            {
                Epochs = options.Epochs, BatchSize = batch, Optimizer = OptimizerKind.Adam, Lr = 1e-3, Seed = 0, Threads = threads,
                Data = new DataConfig { Directory = dataDirectory, Limit = options.Samples },
            };
            Trainer.Run(spec, config, dir, resume: false, new Marks(clock), CancellationToken.None);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class Marks(StepClock clock) : ITrainingProgress
    {
        public void OnStart(TrainingStart start) { }

        public void OnStep(StepProgress step) => clock.Mark(step.Epoch, step.Step, step.StepsPerEpoch);

        public void OnEpoch(EpochMetrics metrics) { }

        public void OnDone(RunSummary summary) { }

        public void OnWarning(string message) => Console.WriteLine("  (trainer warned: " + message + ")");
    }
}

/// <summary>Runs pytorch_loop.py (beside this program) and reads its one JSON line.</summary>
internal static class PyTorchLoop
{
    public sealed record Result(string Version, StepClock? Clock, string? Error);

    public static Result Run(Arguments options, string dataDirectory, long trainCount, int batch, int threads)
    {
        var start = StartInfo(options, dataDirectory, trainCount, batch, options.Epochs * options.Repeats, threads);
        try
        {
            using var process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) return new Result("", null, $"{options.Python} exited {process.ExitCode}: {stderr.Trim().Split('\n').LastOrDefault()}");
            using var json = JsonDocument.Parse(stdout);
            var clock = new StepClock();
            var wall = json.RootElement.GetProperty("wall_step_seconds").EnumerateArray().Select(e => e.GetDouble()).ToList();
            var cpu = json.RootElement.GetProperty("cpu_step_seconds").EnumerateArray().Select(e => e.GetDouble()).ToList();
            for (int i = 0; i < wall.Count; i++)
                if (i % options.Epochs != 0) clock.Add(wall[i], cpu[i]);   // the first epoch of each group of --epochs is a warm-up, as in C#
            return new Result(json.RootElement.GetProperty("torch").GetString() ?? "?", clock, null);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new Result("", null, $"{options.Python}: {ex.Message}");
        }
    }

    /// <summary>A two-thread PyTorch training loop that runs until killed: the competing job of a shared machine.</summary>
    public static Process StartCompetitor(Arguments options, string dataDirectory, long trainCount) =>
        Process.Start(StartInfo(options, dataDirectory, trainCount, 64, 100_000, 2))!;

    private static ProcessStartInfo StartInfo(Arguments options, string dataDirectory, long trainCount, int batch, int epochs, int threads)
    {
        var start = new ProcessStartInfo(options.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "pytorch_loop.py"), dataDirectory, trainCount.ToString(CultureInfo.InvariantCulture),
                     batch.ToString(CultureInfo.InvariantCulture), epochs.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        // torch.set_num_threads holds libtorch's own pool; its BLAS (OpenBLAS in Debian's build) keeps its own, so both are held.
        start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        return start;
    }
}
