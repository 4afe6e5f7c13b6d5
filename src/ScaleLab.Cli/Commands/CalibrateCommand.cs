using System.CommandLine;
using System.Globalization;
using ScaleLab.Cli.Rendering;
using ScaleLab.Core;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Formatting;
using ScaleLab.Torch.Measurement;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab calibrate`: measure this machine's profile (GEMM grid, bandwidth, dispatch) for step-time predictions.</summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads to measure at [default: libtorch's choice]" };
        var output = new Option<string?>("--out") { Description = "Where to write the profile [default: ~/.scalelab/machine-profile-tN.json, or $SCALELAB_PROFILE_DIR]" };
        var passes = new Option<int>("--passes")
        {
            Description = "Whole measurement passes; each figure is the median of theirs, so a slow spell of a shared machine lands in one [default: 3]",
            DefaultValueFactory = _ => MachineCalibration.DefaultPasses,
        };
        var command = new Command("calibrate",
            "Measure this machine for step-time predictions: GEMM time over 343 shapes (1…4096 per dimension), elementwise "
            + "bandwidth from cache to DRAM, tanh throughput, the cost of one kernel launch with and without autograd, fused attention, "
            + "row-wise softmax, sum and topk over narrow rows, batch, layer and RMS norm, and bf16 and fp16 GEMMs at four shapes. "
            + "Writes a machine profile (JSON, schema scalelab.machine-profile/8) that verify, estimate --time and plan --hardware cpu read. About 25 s a pass, three passes by default.\n\n"
            + "Examples:\n  scalelab calibrate\n  scalelab calibrate --threads 1 --out profile-1.json");
        command.Options.Add(threads);
        command.Options.Add(output);
        command.Options.Add(passes);
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is < 1) throw new ScaleLabException($"--threads {parse.GetValue(threads)}: it must be at least 1");
            if (parse.GetValue(passes) is < 1 or > MaxPasses)
                throw new ScaleLabException(string.Create(CultureInfo.InvariantCulture, $"--passes {parse.GetValue(passes)}: it must be between 1 and {MaxPasses}"));
            using var torchThreads = ScaleLab.Torch.TorchThreads.Use(parse.GetValue(threads));
            var profile = MachineCalibration.Measure(progress: new DataCommand.LineProgress(parse.InvocationConfiguration.Error), passes: parse.GetValue(passes));
            string path = parse.GetValue(output) ?? MachineProfileJson.DefaultPath(profile.Threads);
            MachineProfileJson.Save(profile, path);
            Render(Terminal.For(parse.InvocationConfiguration.Output), profile, path);
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>At most nine passes (about four minutes).</summary>
    private const int MaxPasses = 9;

    /// <summary>"Each figure is the median of 3 passes, which disagreed by 4.1 % over the GEMM grid (median of (slowest − fastest) / median). ", or "" for one pass.</summary>
    internal static string PassesLine(MachineProfile p) => p.Passes <= 1 ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $"Each figure is the median of {p.Passes} passes, which disagreed by {p.GemmPassSpread * 100:0.0} % over the GEMM grid (the median of (slowest − fastest) / median). ");

    private static void Render(IAnsiConsole console, MachineProfile p, string path)
    {
        var table = new Table().Title(Markup.Escape($"{p.Machine}: {p.Device}, {p.Precision}, {p.Threads} thread{(p.Threads == 1 ? "" : "s")}"));
        table.AddColumn("measurement");
        table.AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("kernel launch (TorchSharp → libtorch)", Us(p.DispatchSeconds));
        table.AddRow("extra per autograd op (record + backward)", Us(p.AutogradOpSeconds));
        table.AddRow("tanh", F(p.TranscendentalsPerSecond / 1e9) + " G/s");
        foreach (var s in p.ConvSlowdowns ?? [])
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"oneDNN convolution, K = C·k² = {s.K}, vs its GEMMs"), F(s.Slowdown) + "× slower");
        foreach (var s in p.RecurrentSlowdowns ?? [])
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"oneDNN LSTM at batch {s.K}, vs its GEMMs"), F(s.Slowdown) + "× slower");
        table.AddRow("2×2 max pooling, forward + backward", (p.MaxPoolingSecondsPerElement * 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " ns per input element");
        table.AddRow("2×2 average pooling, forward + backward", (p.AveragePoolingSecondsPerElement * 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " ns per input element");
        foreach (var a in p.Attention ?? [])
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"causal attention, head dim {a.HeadDim}, {a.Sequence} tokens"),
                string.Create(CultureInfo.InvariantCulture, $"{a.ForwardSecondsPerScore * 1e9:0.0} + {a.BackwardSecondsPerScore * 1e9:0.0} ns per score (forward + backward)"));
        foreach (var r in p.RowOpRates ?? [])
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"{r.Op} over rows of {r.Width}"),
                r.BackwardSecondsPerRow > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{r.ForwardSecondsPerRow * 1e9:0.0} + {r.BackwardSecondsPerRow * 1e9:0.0} ns per row (forward + backward)")
                    : string.Create(CultureInfo.InvariantCulture, $"{r.ForwardSecondsPerRow * 1e9:0.0} ns per row (forward)"));
        foreach (var b in p.Bandwidth)
            table.AddRow("bandwidth, working set " + HumanUnits.Bytes(b.Bytes), F(b.BytesPerSecond / 1e9) + " GB/s");
        foreach (var (m, n, k) in new[] { (64L, 64L, 64L), (64L, 1024L, 1024L), (1024L, 1024L, 1024L), (4096L, 256L, 256L) })
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"GEMM {m}×{k} · {k}×{n}"), F(2.0 * m * n * k / p.GemmSeconds(m, n, k) / 1e9) + " GFLOP/s");
        foreach (var g in p.FormatGemms ?? [])
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"{g.Precision} GEMM {g.M}×{g.K} · {g.K}×{g.N}"), F(g.FlopsPerSecond / 1e9) + " GFLOP/s");
        console.Write(table);
        console.WriteLine($"GEMMs, optimizer updates, reference layers and pooling were timed in a training step's cache state: each call after an in-place pass over {HumanUnits.Bytes(MachineCalibration.EvictionBytes)} (half the last-level cache); see docs/verify.md.");
        console.WriteLine(PassesLine(p) + $"Timed on the {(p.Clock == TimingClocks.ThreadCpu ? "thread's CPU time (a hypervisor's steal left out)" : "wall clock")}.");
        console.WriteLine(ScaleLab.Torch.MklCodePath.Describe() + ".");
        console.WriteLine($"Profile written to {path}.");
    }

    private static string Us(double seconds) => (seconds * 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " µs";

    private static string F(double v) => v.ToString("0.0", CultureInfo.InvariantCulture);
}
