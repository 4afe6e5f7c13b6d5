// Training throughput of the seed MLP (784-1000-500-250 + ReLU + 10-class head) on the embedded Fashion-MNIST subset
// (9,000 training images after the 10 % validation carve), in one run:
//   1. a bare TorchSharp loop, batches gathered inline on the training thread (the reference);
//   2. the same loop fed by ScaleLab's BatchLoader (prefetch on a worker thread): does loading keep up?
//   3. ScaleLab's Trainer.Run (the `scalelab train` path): overhead vs 1, target <= 5 %;
//   4. PyTorch on this machine (python3 + torch, same model, batch, optimizer, threads);
//   5. achieved training FLOP/s as a fraction of the measured fp32 GEMM peak.
// Every variant runs --repeats times, interleaved so background load hits all alike; the first epoch of each run is
// a warm-up and not counted; the figure is the median epoch time. Usage:
//   dotnet run -c Release --project bench/train-throughput -- [--epochs 3] [--batch 64] [--threads N] [--repeats 3] [--python /usr/bin/python3]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
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
using var data = DataSources.Load(new DataRequest(Directory: embedded));
var info = TorchSharpInfo.Current();
Console.WriteLine(Text.Invariant($"TorchSharp {info.TorchSharpVersion} (libtorch {info.LibTorchVersion}), .NET {info.DotNetVersion}, {threads} threads, {info.LogicalCores} logical cores"));
Console.WriteLine(Text.Invariant($"model {spec.Name}: {cost.Parameters:N0} parameters, {cost.TrainingFlops / 1e6:F2} MFLOP per training sample; data: {data.Train.Count} samples, batch {options.Batch}, {options.Epochs} epochs x {options.Repeats} repeats"));

var peak = GemmBenchmark.Measure(Precision.Fp32, TimeSpan.FromSeconds(1));
Console.WriteLine(Text.Invariant($"GEMM peak fp32: {peak.FlopsPerSecond / 1e9:F1} GFLOP/s ({peak.Size}^2 matmul, best of {peak.Runs})"));

var inline = new List<double>();
var prefetched = new List<double>();
var trainer = new List<double>();
double waitSeconds = 0, prepareSeconds = 0, loaderSeconds = 0;
for (int r = 0; r < options.Repeats; r++)
{
    inline.AddRange(BareLoop.Run(spec, data.Train, options.Batch, options.Epochs, prefetch: false).Skip(1));
    var withLoader = BareLoop.RunWithLoader(spec, data.Train, options.Batch, options.Epochs);
    prefetched.AddRange(withLoader.EpochSeconds.Skip(1));
    waitSeconds += withLoader.WaitSeconds;
    prepareSeconds += withLoader.PrepareSeconds;
    loaderSeconds += withLoader.EpochSeconds.Sum();
    trainer.AddRange(TrainerRun.Run(spec, embedded, options.Batch, options.Epochs, threads).Skip(1));
}
var python = PyTorchLoop.Run(options, embedded, data.Train.Count, threads);

double samples = data.Train.Count;
double Flops(double epochSeconds) => cost.TrainingFlops * samples / epochSeconds;
double bare = Stats.Median(inline);
Console.WriteLine();
Console.WriteLine("variant                         epoch s   samples/s   GFLOP/s   of peak   vs bare loop");
void Row(string name, double seconds) => Console.WriteLine(Text.Invariant(
    $"{name,-30} {seconds,8:F3} {samples / seconds,11:F0} {Flops(seconds) / 1e9,9:F2} {Flops(seconds) / peak.FlopsPerSecond * 100,8:F1}% {seconds / bare,13:F3}x"));
Row("bare TorchSharp loop (inline)", bare);
Row("bare loop + BatchLoader", Stats.Median(prefetched));
Row("ScaleLab Trainer.Run", Stats.Median(trainer));
if (python.EpochSeconds is { Count: > 1 } py) Row($"PyTorch {python.Version}", Stats.Median(py.Skip(1).ToList()));
else Console.WriteLine($"PyTorch: not measured ({python.Error})");
Console.WriteLine();
Console.WriteLine(Text.Invariant($"Trainer overhead vs bare loop: {(Stats.Median(trainer) / bare - 1) * 100:+0.0;-0.0} % (target <= 5 %)"));
Console.WriteLine(Text.Invariant($"BatchLoader: consumer waited {waitSeconds / loaderSeconds * 100:F2} % of loop time; worker prepared batches for {prepareSeconds / loaderSeconds * 100:F1} % of it (hidden behind training)"));
if (python.EpochSeconds is { Count: > 1 } p2) Console.WriteLine(Text.Invariant($"ScaleLab Trainer vs PyTorch: {Stats.Median(trainer) / Stats.Median(p2.Skip(1).ToList()):F3}x the epoch time"));

internal sealed record Arguments(int Epochs, int Batch, int? Threads, int Repeats, string Python)
{
    public static Arguments Parse(string[] args)
    {
        var a = new Arguments(3, 64, null, 3, "/usr/bin/python3");
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

internal static class Stats
{
    public static double Median(IReadOnlyList<double> xs) => StepTimes.From(xs).MedianSeconds;
}

/// <summary>The reference: the loop anyone would write by hand, with the same per-epoch order as the Trainer.</summary>
internal static class BareLoop
{
    public static List<double> Run(ModelSpec spec, TensorDataSet train, int batch, int epochs, bool prefetch)
    {
        torch.manual_seed(0);
        using var model = ModuleBuilder.Build(spec);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        var seconds = new List<double>();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = SeededOrder.Permutation(train.Count, seed: 0, epoch);
            for (long start = 0; start < train.Count; start += batch)
            {
                using var scope = torch.NewDisposeScope();
                var index = tensor(order[(int)start..(int)Math.Min(start + batch, train.Count)]);   // (B)
                Step(model, optimizer, train.Inputs.index_select(0, index), train.Targets.index_select(0, index));
            }
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        return seconds;
    }

    public static (List<double> EpochSeconds, double WaitSeconds, double PrepareSeconds) RunWithLoader(ModelSpec spec, TensorDataSet train, int batch, int epochs)
    {
        torch.manual_seed(0);
        using var model = ModuleBuilder.Build(spec);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        var seconds = new List<double>();
        double wait = 0, prepare = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            using var loader = new BatchLoader(train, batch, shuffle: true, seed: 0, epoch, CPU);
            foreach (var b in loader)
            {
                using (b)
                using (torch.NewDisposeScope()) Step(model, optimizer, b.Inputs, b.Targets);
            }
            seconds.Add(clock.Elapsed.TotalSeconds);
            wait += loader.WaitSeconds;
            prepare += loader.PrepareSeconds;
        }
        return (seconds, wait, prepare);
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
    public static List<double> Run(ModelSpec spec, string dataDirectory, int batch, int epochs, int threads)
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = new TrainingConfig
            {
                Epochs = epochs, BatchSize = batch, Optimizer = "adam", Lr = 1e-3, Seed = 0, Threads = threads,
                Data = new DataConfig { Directory = dataDirectory },
            };
            var progress = new EpochClock();
            Trainer.Run(spec, config, dir, resume: false, progress, CancellationToken.None);
            return progress.Seconds;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class EpochClock : ITrainingProgress
    {
        public List<double> Seconds { get; } = [];

        public void OnStart(TrainingStart start) { }

        public void OnStep(StepProgress step) { }

        public void OnEpoch(EpochMetrics metrics) => Seconds.Add(metrics.EpochSeconds);

        public void OnDone(RunSummary summary) { }
    }
}

/// <summary>Runs pytorch_loop.py (beside this program) and reads its one JSON line.</summary>
internal static class PyTorchLoop
{
    public sealed record Result(string Version, List<double>? EpochSeconds, string? Error);

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
            var seconds = json.RootElement.GetProperty("epoch_seconds").EnumerateArray().Select(e => e.GetDouble()).ToList();
            return new Result(json.RootElement.GetProperty("torch").GetString() ?? "?", seconds, null);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new Result("", null, $"{options.Python}: {ex.Message}");
        }
    }
}
