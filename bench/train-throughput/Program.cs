// Training throughput of the seed MLP (784-1000-500-250 + ReLU + 10-class head) on the embedded Fashion-MNIST subset
// (9,000 training images after the 10 % validation carve), in one run:
//   1. a bare TorchSharp loop, batches gathered inline on the training thread (the reference);
//   2. the same loop fed by ScaleLab's BatchLoader (prefetch on a worker thread): does loading keep up?
//   3. ScaleLab's Trainer.Run (the `scalelab train` path): overhead vs 1, target <= 5 %;
//   4. PyTorch on this machine (python3 + torch, same model, batch, optimizer, threads);
//   5. achieved training FLOP/s as a fraction of the measured fp32 GEMM peak.
// Every variant runs --repeats times, interleaved (rotating which goes first) so background load hits all alike; the
// first epoch of each run is a warm-up and not counted; the figures are median steady-state wall and CPU time per
// step. Usage:
//   dotnet run -c Release --project bench/train-throughput -- [--samples 2000] [--epochs 3] [--batch 64] [--threads N] [--repeats 3] [--python /usr/bin/python3]
// --samples caps the data (DataRequest.Limit) before the validation carve, so 2000 → 1800 training samples.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Building;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Measurement;
using ScaleLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

var options = Arguments.Parse(args);
torch.set_num_threads(options.Threads ?? torch.get_num_threads());
int threads = torch.get_num_threads();
string embedded = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");

var preset = ModelPresets.Load("mlp-784-1000-500-250");
var spec = preset with
{
    Name = "seed-mlp-10",
    Layers = [.. preset.Layers, new ActivationLayer(ActivationKind.Relu), new LinearLayer(10)],
};
var cost = ModelAccounting.Account(spec);
using var data = DataSources.Load(new DataRequest(Directory: embedded, Limit: options.Samples));
var info = TorchSharpInfo.Current();
Console.WriteLine(Text.Invariant($"TorchSharp {info.TorchSharpVersion} (libtorch {info.LibTorchVersion}), .NET {info.DotNetVersion}, {threads} threads, {info.LogicalCores} logical cores"));
Console.WriteLine(Text.Invariant($"model {spec.Name}: {cost.Parameters:N0} parameters, {cost.TrainingFlops / 1e6:F2} MFLOP per training sample; data: {data.Train.Count} samples, batch {options.Batch}, {options.Epochs} epochs x {options.Repeats} repeats"));

var peak = GemmBenchmark.Measure(Precision.Fp32, TimeSpan.FromSeconds(1));
Console.WriteLine(Text.Invariant($"GEMM peak fp32: {peak.FlopsPerSecond / 1e9:F1} GFLOP/s ({peak.Size}^2 matmul, best of {peak.Runs})"));

var inline = new StepClock();
var prefetched = new StepClock();
var trainer = new StepClock();
var ownAdam = new StepClock();
double waitSeconds = 0, prepareSeconds = 0, loaderSeconds = 0;
var variants = new Action[]
{
    () => BareLoop.Run(spec, data.Train, options.Batch, options.Epochs, inline),
    () =>
    {
        var (wait, prepare, total) = BareLoop.RunWithLoader(spec, data.Train, options.Batch, options.Epochs, prefetched);
        waitSeconds += wait;
        prepareSeconds += prepare;
        loaderSeconds += total;
    },
    () => TrainerRun.Run(spec, embedded, options, threads, trainer),
    () => BareLoop.RunWithScaleLabAdam(spec, data.Train, options.Batch, options.Epochs, ownAdam),
};
// Rotate which variant goes first in each repeat, so a warm cache or a burst of background load favours none.
for (int r = 0; r < options.Repeats; r++)
    for (int v = 0; v < variants.Length; v++) variants[(r + v) % variants.Length]();
var python = PyTorchLoop.Run(options, embedded, data.Train.Count, threads);

long steps = (data.Train.Count + options.Batch - 1) / options.Batch;
double samples = data.Train.Count;
var (bareWall, bareCpu) = inline.Median();
Console.WriteLine();
Console.WriteLine(Text.Invariant($"Per-step times are medians over epochs 2..{options.Epochs} of each run (steady state: from the end of step 1 to the end of step {steps}); epoch = step x {steps} steps."));
Console.WriteLine("variant                          wall ms/step  CPU ms/step  samples/s   GFLOP/s  of peak  wall vs bare  CPU vs bare");
void Row(string name, (double Wall, double Cpu) t) => Console.WriteLine(Text.Invariant(
    $"{name,-32} {t.Wall * 1e3,12:F2} {t.Cpu * 1e3,12:F2} {options.Batch / t.Wall,10:F0} {cost.TrainingFlops * options.Batch / t.Wall / 1e9,9:F2} {cost.TrainingFlops * options.Batch / t.Wall / peak.FlopsPerSecond * 100,7:F1}% {t.Wall / bareWall,12:F3}x {t.Cpu / bareCpu,11:F3}x"));
Row("bare TorchSharp loop (inline)", (bareWall, bareCpu));
Row("bare loop + BatchLoader", prefetched.Median());
Row("ScaleLab Trainer.Run", trainer.Median());
Row("bare loop + ScaleLab's Adam", ownAdam.Median());
if (python.Clock is { } py) Row($"PyTorch {python.Version}", py.Median());
else Console.WriteLine($"PyTorch: not measured ({python.Error})");
Console.WriteLine();
var (trainerWall, trainerCpu) = trainer.Median();
Console.WriteLine(Text.Invariant($"Trainer overhead vs bare loop: wall {(trainerWall / bareWall - 1) * 100:+0.0;-0.0} %, CPU {(trainerCpu / bareCpu - 1) * 100:+0.0;-0.0} % (target <= 5 %)"));
Console.WriteLine(Text.Invariant($"BatchLoader: the consumer waited {waitSeconds / loaderSeconds * 100:F2} % of the loop's wall time; the worker spent {prepareSeconds / loaderSeconds * 100:F1} % of it preparing batches, hidden behind training"));
if (python.Clock is { } p2) Console.WriteLine(Text.Invariant($"ScaleLab Trainer vs PyTorch: {trainerWall / p2.Median().Wall:F3}x the wall time per step, {trainerCpu / p2.Median().Cpu:F3}x the CPU time"));
Console.WriteLine(Text.Invariant($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}"));

internal sealed record Arguments(int Epochs, int Batch, int? Threads, int Repeats, string Python, long? Samples)
{
    public static Arguments Parse(string[] args)
    {
        var a = new Arguments(3, 64, null, 3, "/usr/bin/python3", 2000);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string v = args[i + 1];
            a = args[i] switch
            {
                "--epochs" => a with { Epochs = int.Parse(v, CultureInfo.InvariantCulture) },
                "--batch" => a with { Batch = int.Parse(v, CultureInfo.InvariantCulture) },
                "--threads" => a with { Threads = int.Parse(v, CultureInfo.InvariantCulture) },
                "--repeats" => a with { Repeats = int.Parse(v, CultureInfo.InvariantCulture) },
                "--python" => a with { Python = v },
                "--samples" => a with { Samples = v == "all" ? null : long.Parse(v, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}; see the header of Program.cs"),
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
}

/// <summary>The reference: the loop anyone would write by hand, with the same per-epoch order as the Trainer.</summary>
internal static class BareLoop
{
    public static void Run(ModelSpec spec, TensorDataSet train, int batch, int epochs, StepClock clock)
    {
        torch.manual_seed(0);
        using var model = ModuleBuilder.Build(spec);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        long steps = (train.Count + batch - 1) / batch;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var order = SeededOrder.Permutation(train.Count, seed: 0, epoch);
            for (long step = 1; step <= steps; step++)
            {
                using (var scope = torch.NewDisposeScope())
                {
                    long start = (step - 1) * batch;
                    var index = tensor(order[(int)start..(int)Math.Min(start + batch, train.Count)]);   // (B)
                    Step(model, optimizer, train.Inputs.index_select(0, index), train.Targets.index_select(0, index));
                }
                clock.Mark(epoch, step, steps);
            }
        }
    }

    /// <summary>Returns the consumer's wait, the worker's preparation time and the loops' total wall time, in seconds.</summary>
    public static (double Wait, double Prepare, double Total) RunWithLoader(ModelSpec spec, TensorDataSet train, int batch, int epochs, StepClock clock)
    {
        torch.manual_seed(0);
        using var model = ModuleBuilder.Build(spec);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        double wait = 0, prepare = 0, total = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var timer = Stopwatch.StartNew();
            using var loader = new BatchLoader(train, batch, shuffle: true, seed: 0, epoch, CPU);
            long step = 0;
            foreach (var b in loader)
            {
                using (b)
                using (torch.NewDisposeScope()) Step(model, optimizer, b.Inputs, b.Targets);
                clock.Mark(epoch, ++step, loader.BatchCount);
            }
            total += timer.Elapsed.TotalSeconds;
            wait += loader.WaitSeconds;
            prepare += loader.PrepareSeconds;
        }
        return (wait, prepare, total);
    }

    /// <summary>The inline loop with the Trainer's own optimizer (Training.Adam) in place of torch.optim's: isolates its cost.</summary>
    public static void RunWithScaleLabAdam(ModelSpec spec, TensorDataSet train, int batch, int epochs, StepClock clock)
    {
        torch.manual_seed(0);
        using var model = ModuleBuilder.Build(spec);
        var config = new TrainingConfig();
        using var optimizer = OptimizerFactory.Create(config, model.named_parameters().Select(p => (p.name, p.parameter)).ToList());
        long steps = (train.Count + batch - 1) / batch;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var order = SeededOrder.Permutation(train.Count, seed: 0, epoch);
            for (long step = 1; step <= steps; step++)
            {
                using (var scope = torch.NewDisposeScope())
                {
                    long start = (step - 1) * batch;
                    var index = tensor(order[(int)start..(int)Math.Min(start + batch, train.Count)]);   // (B)
                    optimizer.ZeroGrad();
                    var loss = nn.functional.cross_entropy(model.forward(train.Inputs.index_select(0, index)), train.Targets.index_select(0, index));
                    loss.backward();
                    optimizer.Step(config.Lr);
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
    public static void Run(ModelSpec spec, string dataDirectory, Arguments options, int threads, StepClock clock)
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = new TrainingConfig
            {
                Epochs = options.Epochs, BatchSize = options.Batch, Optimizer = "adam", Lr = 1e-3, Seed = 0, Threads = threads,
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
    }
}

/// <summary>Runs pytorch_loop.py (beside this program) and reads its one JSON line.</summary>
internal static class PyTorchLoop
{
    public sealed record Result(string Version, StepClock? Clock, string? Error);

    public static Result Run(Arguments options, string dataDirectory, long trainCount, int threads)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "pytorch_loop.py");
        var start = new ProcessStartInfo(options.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { script, dataDirectory, trainCount.ToString(CultureInfo.InvariantCulture), options.Batch.ToString(CultureInfo.InvariantCulture),
                     (options.Epochs * options.Repeats).ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
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
}
