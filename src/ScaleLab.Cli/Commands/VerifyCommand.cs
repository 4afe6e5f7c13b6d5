using System.CommandLine;
using System.Globalization;
using ScaleLab.Cli.Rendering;
using ScaleLab.Core;
using ScaleLab.Core.Targets;
using ScaleLab.Torch.Measurement;
using Spectre.Console;
using TorchSharp;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab verify SPEC`: the estimator's parameters, step cost and memory beside measurements of the built model.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("spec") { Description = "A preset name or a spec .json (anything `estimate` accepts that builds)" };
        var batch = new Option<int>("--batch") { Description = "Samples per training step", DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { Description = "Timed training steps (after 3 warm-up steps)", DefaultValueFactory = _ => 20 };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads [default: libtorch's choice]" };
        var seq = new Option<long?>("--seq") { Description = "Tokens per sequence for sequence models [default: the spec's context]" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document, schema scalelab.verify/1 (docs/schemas/verify.schema.json); the exit status is the same" };
        var command = new Command("verify",
            "Build the model, train it for a few steps on synthetic data, and print estimated vs measured: parameters (must be "
            + "equal; exit 1 otherwise), step time → achieved FLOP/s → utilisation of this machine's measured GEMM peak, and "
            + "peak memory growth vs the training-memory estimate.\n\nExamples:\n  scalelab verify mlp-784-1000-500-250 --batch 64\n  scalelab verify lenet-5 --steps 5 --json");
        command.Arguments.Add(target);
        foreach (var option in new Option[] { batch, steps, threads, seq, json }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            if (parse.GetValue(batch) < 1) throw new ScaleLabException($"--batch {parse.GetValue(batch)}: it must be at least 1");
            if (parse.GetValue(steps) < 1) throw new ScaleLabException($"--steps {parse.GetValue(steps)}: it must be at least 1");
            if (parse.GetValue(threads) is < 1) throw new ScaleLabException($"--threads {parse.GetValue(threads)}: it must be at least 1");
            using var torchThreads = ScaleLab.Torch.TorchThreads.Use(parse.GetValue(threads));
            if (TargetResolver.Resolve(parse.GetValue(target)!) is not ModelTarget model)
                throw new ScaleLabException($"{parse.GetValue(target)}: a checkpoint has no spec to build; give a preset or a spec .json");
            var output = parse.InvocationConfiguration.Output;
            var result = SpecVerifier.Run(model.Spec,
                new VerifyOptions(parse.GetValue(batch), parse.GetValue(steps), SequenceLength: parse.GetValue(seq)),
                new DataCommand.LineProgress(parse.InvocationConfiguration.Error));
            if (parse.GetValue(json)) output.WriteLine(VerifyJson.Write(result));
            else Render(Terminal.For(output), result);
            if (result.ParametersMatch) return CliApp.ExitOk;
            parse.InvocationConfiguration.Error.WriteLine(
                $"error: the built model has {I(result.MeasuredParameters)} parameters, the estimator counts {I(result.EstimatedParameters)}");
            return CliApp.ExitUserError;
        });
        return command;
    }

    internal static void Render(IAnsiConsole console, VerificationResult r)
    {
        var table = new Table().Title(Markup.Escape(
            $"{r.Model}: estimated vs measured (batch {I(r.Batch)}{(r.SequenceLength > 1 ? $", sequence {I(r.SequenceLength)}" : "")}, {I(r.Threads)} thread{(r.Threads == 1 ? "" : "s")}, fp32, Adam)"));
        table.AddColumn("quantity");
        table.AddColumn(new TableColumn("estimated").RightAligned());
        table.AddColumn(new TableColumn("measured").RightAligned());
        table.AddColumn(new TableColumn("ratio").RightAligned());
        table.AddColumn("check");
        table.AddRow("parameters", I(r.EstimatedParameters), I(r.MeasuredParameters), "",
            r.ParametersMatch ? "equal" : "[red]DIFFERENT[/]");
        table.AddRow("training FLOPs / step", Flops(r.TrainingFlopsPerStep), "", "", "3 × forward × batch");
        table.AddRow("step time", Ms(r.EstimatedStepSeconds) + " at peak", Ms(r.StepTimes.MedianSeconds) + " median",
            F(r.StepTimes.MedianSeconds / r.EstimatedStepSeconds, "F1") + "×", $"{I(r.StepTimes.Count)} steps, best {Ms(r.StepTimes.BestSeconds)}");
        table.AddRow("achieved FLOP/s", "", Flops(r.AchievedFlopsPerSecond) + "/s", "", "");
        table.AddRow("GEMM peak (fp32)", "", Flops(r.Peak.FlopsPerSecond) + "/s", "",
            $"{I(r.Peak.Size)}² matmul, best of {I(r.Peak.Runs)}");
        table.AddRow("utilisation of peak", "", F(r.Utilisation * 100, "F1") + " %", "", "");
        table.AddRow("peak memory (growth)", Mib(r.EstimatedTrainingBytes), Mib(r.MeasuredGrowthBytes), F(r.MemoryRatio, "F2") + "×",
            (r.MemoryWithinTolerance ? "within" : "[yellow]outside[/]") + $" ±{Mib(r.MemoryAllowanceBytes)}");
        console.Write(table);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Memory: RSS growth from just before the model is built to the peak ({(r.PeakWasReset ? "VmHWM after a reset" : "VmRSS after training; VmHWM could not be reset")}); " +
            $"tolerance ±{VerificationResult.MemoryTolerance * 100:F0} % of the estimate or ±{VerificationResult.MemoryFloorBytes >> 20} MiB, whichever is larger. See docs/verify.md."));
    }

    private static string I(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Ms(double seconds) => F(seconds * 1000, "F2") + " ms";

    private static string Mib(long bytes) => F(bytes / 1048576.0, "F1") + " MiB";

    private static string Flops(double flops) => flops switch
    {
        >= 1e12 => F(flops / 1e12, "F2") + " TFLOP",
        >= 1e9 => F(flops / 1e9, "F2") + " GFLOP",
        >= 1e6 => F(flops / 1e6, "F2") + " MFLOP",
        _ => F(flops, "F0") + " FLOP",
    };
}
