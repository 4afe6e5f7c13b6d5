using System.CommandLine;
using System.Globalization;
using ScaleLab.Cli.Rendering;
using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Formatting;
using ScaleLab.Core.Spec;
using ScaleLab.Core.Targets;
using ScaleLab.Core.Verification;
using ScaleLab.Reports.Data;
using ScaleLab.Reports.Plots;
using ScaleLab.Torch.Measurement;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `scalelab verify SPEC` / `--suite`: the step-memory and step-time estimates beside measurements at three batch
/// sizes (docs/verify.md); exit 1 when parameters differ or memory or time falls outside its tolerance.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>Without --batch, a model outside the suite is measured at B/4, B/2 and B, B the first power of two whose estimate reaches this.</summary>
    public const long AutoTargetBytes = 48L << 20;

    public static Command Create()
    {
        var target = new Argument<string?>("spec") { Description = "A preset, a verify-suite model or a spec .json (anything `estimate` accepts that builds)", Arity = ArgumentArity.ZeroOrOne };
        var batch = new Option<string?>("--batch") { Description = "Batch sizes, e.g. 64,128,256 (one value B measures B/4, B/2, B) [default: the suite's, else sized to ~48 MiB]" };
        var steps = new Option<int>("--steps") { Description = "Timed steps per repeat and batch (after 3 warm-up steps)", DefaultValueFactory = _ => 10 };
        var repeats = new Option<int>("--repeats") { Description = "Repeats of every measurement; figures are their medians, the spread their noise", DefaultValueFactory = _ => 3 };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads [default: libtorch's choice]" };
        var seq = new Option<long?>("--seq") { Description = "Tokens per sequence for sequence models [default: the spec's context]" };
        var suite = new Option<bool>("--suite") { Description = "Verify the eight suite models (MLP, LeNet-5, Keras CNN, ResNet stack, LSTM, char GPT, GQA decoder, MoE) at three batch sizes each" };
        var profile = new Option<string?>("--profile") { Description = "Machine profile from `scalelab calibrate` [default: ~/.scalelab/machine-profile-tN.json, measured now when missing]" };
        var plot = new Option<string?>("--plot") { Description = "Also write verify-memory.png and verify-time.png (measured vs estimated) into this folder" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document: scalelab.verify/2, or scalelab.verify-suite/1 with --suite (docs/schemas/)" };
        var save = new Option<string?>("--save") { Description = "Also write that JSON document to this file (atomically) and print the table" };
        // What `verify --suite` runs for each model in a process of its own: its memory only, one scalelab.verify-memory/1 line.
        var memoryOnly = new Option<bool>(MemoryOnlyOption) { Description = "Measure the model's memory only and print one scalelab.verify-memory/1 line", Hidden = true };
        var command = new Command("verify",
            "Build the model, train it on synthetic data, and set the estimates beside measurements: parameters (must be equal), "
            + "the memory of a training step (±10 % at every batch size and for the per-sample slope) and its time (±20 %, "
            + "predicted from this machine's profile at the speed it runs at beside the steps). Exit 1 when any check fails.\n\nExamples:\n"
            + "  scalelab verify mlp-784-1000-500-250\n  scalelab verify lenet-5 --batch 128,256,512 --json\n  scalelab verify --suite --plot verify-plots");
        command.Arguments.Add(target);
        foreach (var option in new Option[] { batch, steps, repeats, threads, seq, suite, profile, plot, json, save, memoryOnly }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            if (parse.GetValue(steps) < 1) throw new ScaleLabException($"--steps {parse.GetValue(steps)}: it must be at least 1");
            if (parse.GetValue(repeats) is < 1 or > 20) throw new ScaleLabException($"--repeats {parse.GetValue(repeats)}: it must be between 1 and 20");
            if (parse.GetValue(threads) is < 1) throw new ScaleLabException($"--threads {parse.GetValue(threads)}: it must be at least 1");
            if (parse.GetValue(suite) == (parse.GetValue(target) is not null))
                throw new ScaleLabException("verify: give either a model or --suite");
            using var torchThreads = ScaleLab.Torch.TorchThreads.Use(parse.GetValue(threads));
            var error = parse.InvocationConfiguration.Error;
            var progress = new DataCommand.LineProgress(error);
            // Every input is checked before the machine is measured (a missing profile takes ~10 s to make).
            var chosen = parse.GetValue(suite)
                ? [.. VerifySuite.Models.Select(m => (m.Spec, m.Batches))]
                : new List<(ModelSpec, IReadOnlyList<int>)> { Single(parse.GetValue(target)!, parse.GetValue(batch), parse.GetValue(seq)) };
            if (parse.GetValue(memoryOnly))
            {
                if (parse.GetValue(suite)) throw new ScaleLabException($"verify {MemoryOnlyOption}: give one model, not --suite");
                var (spec, batches) = chosen[0];
                var measured = SpecVerifier.MeasureMemory(spec, new VerifyOptions(batches, parse.GetValue(steps), parse.GetValue(repeats), SequenceLength: parse.GetValue(seq)),
                    firstInProcess: true, progress);
                parse.InvocationConfiguration.Output.WriteLine(measured.ToJson());
                return CliApp.ExitOk;
            }

            var (machine, source) = MachineProfiles.For(parse.GetValue(profile), progress, error);
            if (GemmPathMismatch(machine, ScaleLab.Torch.MklCodePath.ProfileNote) is { } mismatch) error.WriteLine($"warning: {source}: {mismatch}");
            var models = chosen.Select(m => (m.Item1, new VerifyOptions(m.Item2, parse.GetValue(steps), parse.GetValue(repeats),
                SequenceLength: parse.GetValue(seq), Profile: machine, ProfileSource: source))).ToList();
            var results = SpecVerifier.RunAll(models, progress,
                parse.GetValue(suite) ? new OwnProcessMemory(parse.GetValue(threads), parse.GetValue(seq), progress).Measure : null);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(plot) is { } folder) WritePlots(folder, results);
            string Document() => parse.GetValue(suite) ? VerifyJson.WriteSuite(results) : VerifyJson.Write(results[0]);
            if (parse.GetValue(save) is { } file)
            {
                if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } parent) Directory.CreateDirectory(parent);
                AtomicFile.WriteAllText(file, Document() + "\n");
            }

            if (parse.GetValue(json)) output.WriteLine(Document());
            else Render(Terminal.For(output), results);
            foreach (var r in results.Where(r => !r.ParametersMatch))
                error.WriteLine($"error: {r.Model}: the built model has {I(r.MeasuredParameters)} parameters, the estimator counts {I(r.EstimatedParameters)}");
            return results.All(r => r.WithinTolerance) ? CliApp.ExitOk : CliApp.ExitUserError;
        });
        return command;
    }

    internal const string MemoryOnlyOption = "--memory-only";

    /// <summary>
    /// Each suite model's memory measured in a `scalelab verify MODEL --memory-only` child of its own (tiered JIT off, as
    /// this process): glibc would serve a later model's tensors from the free chunks earlier models left in this
    /// process's heap, which stay resident when freed (docs/verify.md). Where no child can be started, the model is
    /// measured here and its conditions say whether it was the first.
    /// </summary>
    private sealed class OwnProcessMemory(int? threads, long? sequence, IProgress<string> progress)
    {
        private int _measuredHere;

        public MemoryMeasurement Measure(ModelSpec spec, VerifyOptions options)
        {
            var args = new List<string> { "verify", spec.Name, "--batch", string.Join(',', options.Batches.Select(b => b.ToString(CultureInfo.InvariantCulture))),
                "--steps", I0(options.Steps), "--repeats", I0(options.Repeats), MemoryOnlyOption };
            if (threads is int t) args.AddRange(["--threads", I0(t)]);
            if (sequence is long s) args.AddRange(["--seq", s.ToString(CultureInfo.InvariantCulture)]);
            string source = $"{spec.Name}: the memory measurement's child process";
            switch (MeasuringProcess.Capture(args))
            {
                case null:
                    return SpecVerifier.MeasureMemory(spec, options, firstInProcess: _measuredHere++ == 0, progress);
                case ({ } code, _) when code != 0:
                    throw new ScaleLabException($"{source} exited with status {code}");
                case (_, var output):
                    return MemoryMeasurement.Parse(output.Trim(), source);
            }
        }

        private static string I0(int v) => v.ToString(CultureInfo.InvariantCulture);
    }

    private static (ModelSpec, IReadOnlyList<int>) Single(string name, string? batchText, long? sequence)
    {
        var spec = VerifySuite.Models.FirstOrDefault(m => m.Name == name)?.Spec
            ?? (TargetResolver.Resolve(name) as ModelTarget)?.Spec
            ?? throw new ScaleLabException($"{name}: a checkpoint has no spec to build; give a preset, a verify-suite model or a spec .json");
        if (!StepMemory.Supports(spec))
            throw new ScaleLabException($"{name}: verify has no autograd rule yet for its attention or block layout (latent attention, sinks, local windows, q/k norms, non-pre norms); see docs/verify.md");
        return (spec, batchText is not null ? ParseBatches(batchText) : VerifySuite.BatchesFor(name) ?? AutoBatches(spec, sequence));
    }

    /// <summary>"64,128,256" → those; "256" → 64, 128, 256.</summary>
    internal static IReadOnlyList<int> ParseBatches(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int b) || b is < 1 or > 65_536)
                throw new ScaleLabException($"--batch {text}: '{part}' is not a batch size between 1 and 65,536");
            values.Add(b);
        }

        if (values.Count == 0) throw new ScaleLabException($"--batch {text}: give one or more batch sizes, e.g. 64,128,256");
        if (values.Count == 1) values = [.. new[] { values[0] / 4, values[0] / 2, values[0] }.Where(b => b >= 1)];
        return [.. values.Distinct().Order()];
    }

    private static IReadOnlyList<int> AutoBatches(ModelSpec spec, long? sequence)
    {
        var cost = ModelAccounting.Account(spec, sequence);
        var tape = StepMemory.Tape(cost);
        int b = 4;
        while (b < 4096 && StepMemory.Estimate(cost, tape, b, OptimizerKind.Adam, Precision.Fp32).PeakBytes < AutoTargetBytes) b *= 2;
        return [b / 4, b / 2, b];
    }

    /// <summary>
    /// A profile measured on oneMKL's other code path (<see cref="ScaleLab.Torch.MklCodePath"/>: SCALELAB_MKL_GENERIC set
    /// one time and not the other) prices every GEMM 10–18 % off on an AMD processor; null when the paths agree.
    /// <paramref name="now"/> is this process's <see cref="ScaleLab.Torch.MklCodePath.ProfileNote"/>.
    /// </summary>
    internal static string? GemmPathMismatch(MachineProfile profile, string? now)
    {
        if (now is null || profile.Machine.EndsWith("; " + now, StringComparison.Ordinal)) return null;
        string then = profile.Machine.Contains("; oneMKL ", StringComparison.Ordinal) ? profile.Machine[(profile.Machine.LastIndexOf("; ", StringComparison.Ordinal) + 2)..] : "an unnamed oneMKL path";
        return $"measured with {then}, and this run uses {now}; its GEMM times will be off (run scalelab calibrate again)";
    }

    private static void WritePlots(string folder, IReadOnlyList<VerificationResult> results)
    {
        Directory.CreateDirectory(folder);
        var memory = results.SelectMany(r => r.Batches.Select(b => new EstimatePoint(Label(r, b), b.EstimatedBytes / 1048576.0, b.MeasuredBytes / 1048576.0))).ToList();
        var time = results.SelectMany(r => r.Batches.Where(b => b.PredictedSeconds is not null).Select(b => new EstimatePoint(Label(r, b), b.PredictedSeconds!.Value * 1000, b.MeasuredSeconds * 1000))).ToList();
        var images = new[]
        {
            EstimatePlot.Render(memory, "Training-step memory: measured vs estimated", "estimated MiB", "measured MiB", "verify-memory.png"),
            EstimatePlot.Render(time, "Training-step time: measured vs predicted", "predicted ms", "measured ms", "verify-time.png"),
        };
        foreach (var image in images) File.WriteAllBytes(Path.Combine(folder, image.FileName), image.Png);
    }

    private static string Label(VerificationResult r, BatchVerification b) => string.Create(CultureInfo.InvariantCulture, $"{r.Model} ×{b.Batch}");

    internal static void Render(IAnsiConsole console, IReadOnlyList<VerificationResult> results)
    {
        var first = results[0];
        var table = new Table().Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"estimated vs measured: one training step ({first.Threads} thread{(first.Threads == 1 ? "" : "s")}, {first.Device}, fp32, Adam; medians of {first.Conditions.Repeats} repeats ± spread)")));
        foreach (var (name, right) in new[] { ("model", false), ("batch", true), ("memory est.", true), ("measured", true), ("error", true), ("time pred.", true), ("measured", true), ("error", true) })
            table.AddColumn(right ? new TableColumn(name).RightAligned() : new TableColumn(name));
        foreach (var r in results)
            foreach (var b in r.Batches)
                table.AddRow(Markup.Escape(b == r.Batches[0] ? r.Model : ""), I(b.Batch), Mib(b.EstimatedBytes), Mib(b.MeasuredBytes) + " ±" + Mib(b.MeasuredSpreadBytes),
                    Check(b.MemoryError, b.MemoryWithin), b.PredictedSeconds is double p ? Ms(p) : "—", Ms(b.MeasuredSeconds) + " ±" + Ms(b.MeasuredSpreadSeconds),
                    b.TimeError is double e ? Check(e, b.TimeWithin == true) : "—");
        console.Write(table);
        foreach (var r in results)
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Model}: parameters {I(r.EstimatedParameters)} estimated, {I(r.MeasuredParameters)} built ({(r.ParametersMatch ? "equal" : "DIFFERENT")}); "
                + $"per sample {Kib(r.EstimatedBytesPerSample)} estimated, {Kib(r.MeasuredBytesPerSample)} measured ({Percent(VerifyTolerance.Error(r.EstimatedBytesPerSample, r.MeasuredBytesPerSample))}); "
                + $"runtime before the model {Mib(r.FixedBytes)} (not in the figures)"));
        var c = first.Conditions;
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Tolerances: memory ±{VerifyTolerance.Memory * 100:F0} % (every batch and the per-sample slope), time ±{VerifyTolerance.Time * 100:F0} %. "
            + $"Memory is the RSS peak above a baseline taken before the model is built{(c.PeakReset ? "" : " (VmHWM could not be reset: VmRSS after the steps)")}"
            + $"{(c.AllocatorPinned ? "" : "; glibc's allocator could not be pinned, so freed memory may stay resident")}"
            + $"{(c.TieredCompilationOff ? "" : "; tiered JIT was on (run through the scalelab command to turn it off): up to ~4 MiB of JIT growth can land in the figures")}. "
            + $"Time profile: {c.ProfileSource ?? "none"}{Speed(c)}. {AtSpeedLine(results)}{ClockLine(results)}See docs/verify.md."));
        console.WriteLine(results.All(r => r.WithinTolerance) ? "All checks hold." : "Outside tolerance: " + string.Join(", ", results.Where(r => !r.WithinTolerance).Select(r => r.Model)) + ".");
    }

    /// <summary>"; GEMMs ran at 0.88× its speed before the timed steps, 0.91× after", or "" without both figures.</summary>
    internal static string Speed(VerifyConditions c) =>
        c.GemmSpeedBefore is double b && c.GemmSpeedAfter is double a && double.IsFinite(b) && double.IsFinite(a)
            ? string.Create(CultureInfo.InvariantCulture, $"; GEMMs ran at {b:0.00}× its speed before the timed steps, {a:0.00}× after")
            : "";

    /// <summary>
    /// "Predicted times are at the speed measured beside each batch's steps (GEMMs at 0.84–1.12× the profile's); at the
    /// profile's own speed 20 of 24 would be within ±20 %. ", or "" where no speed was measured.
    /// </summary>
    internal static string AtSpeedLine(IReadOnlyList<VerificationResult> results)
    {
        var timed = results.SelectMany(r => r.Batches).Where(b => b.Time is not null).ToArray();
        var speeds = timed.Select(b => b.MachineSpeed).OfType<double>().Where(double.IsFinite).ToArray();
        if (speeds.Length == 0) return "";
        int within = timed.Count(b => b.ProfileTimeError is double e && Math.Abs(e) <= VerifyTolerance.Time);
        return string.Create(CultureInfo.InvariantCulture,
            $"Predicted times are at the speed measured beside each batch's steps (GEMMs at {speeds.Min():0.00}–{speeds.Max():0.00}× the profile's); "
            + $"at the profile's own speed {within} of {timed.Length} would be within ±{VerifyTolerance.Time * 100:F0} %. ");
    }

    /// <summary>
    /// Which clock the step times are on, with how far the wall clock read above it and the host's steal; a warning when
    /// the profile was calibrated on the other clock. Ends in ". " (or is empty for a wall-clock run on a wall-clock profile).
    /// </summary>
    internal static string ClockLine(IReadOnlyList<VerificationResult> results)
    {
        var c = results[0].Conditions;
        string mismatch = c.ProfileClock is { } p && p != c.Clock
            ? $"The profile was timed on the {ClockName(p)} and these steps on the {ClockName(c.Clock)}: run scalelab calibrate again. "
            : "";
        if (c.Clock != TimingClocks.ThreadCpu) return mismatch;
        var ratios = results.SelectMany(r => r.Batches).Where(b => b.MeasuredSeconds > 0).Select(b => b.WallSeconds / b.MeasuredSeconds).Order().ToArray();
        var steals = results.Select(r => r.Conditions.StealFraction).OfType<double>().Where(double.IsFinite).ToArray();
        string wall = ratios.Length == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; the wall clock read {ratios[ratios.Length / 2]:0.00}× that (median)");
        string steal = steals.Length == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", with {steals.Average() * 100:0} % of the host's CPU time stolen by its hypervisor");
        return $"Step time is the timing thread's CPU time{wall}{steal}. " + mismatch;
    }

    private static string ClockName(string clock) => clock == TimingClocks.ThreadCpu ? "thread's CPU time" : "wall clock";

    private static string Check(double error, bool within) => within ? Percent(error) : $"[red]{Percent(error)}[/]";

    private static string Percent(double fraction) => double.IsFinite(fraction) ? fraction.ToString("+0.0 %;-0.0 %", CultureInfo.InvariantCulture) : "—";

    private static string I(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double seconds) => (seconds * 1000).ToString(seconds < 0.01 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    private static string Mib(long bytes) => HumanUnits.Bytes(bytes);

    private static string Kib(double bytes) => double.IsFinite(bytes) ? HumanUnits.Bytes((long)bytes) : "—";
}
