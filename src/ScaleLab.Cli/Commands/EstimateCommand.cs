using System.CommandLine;
using ScaleLab.Cli.Rendering;
using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Targets;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab estimate [TARGET]`: parameters, FLOPs, memory and disk for one model, or a table of all presets.</summary>
internal static class EstimateCommand
{
    public static Command Create()
    {
        var target = new Argument<string?>("target")
        {
            Description = "A preset name (e.g. resnet-18, gpt2-small), a spec .json, a Hugging Face config.json or its folder, or a .safetensors/.gguf file. Leave out for a table of all presets.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var all = new Option<bool>("--all") { Description = "Compare every bundled preset (the default when no TARGET is given)" };
        var batch = new Option<long?>("--batch") { Description = "Samples (sequences) per step [default: 32 for layer stacks, 1 for transformers]" };
        var seq = new Option<long?>("--seq") { Description = "Tokens per sequence for sequence models [default: the spec's context]" };
        var precision = new Option<string>("--precision")
        {
            Description = "Numeric format of weights, gradients and activations: fp32, fp16, bf16, fp8, int8, int4",
            DefaultValueFactory = _ => "fp32",
        };
        var optimizer = new Option<string>("--optimizer")
        {
            Description = string.Join(", ", OptimizerKindInfo.All.Select(o => o.Name())) + " (the ones `train` runs, and adam8bit)",
            DefaultValueFactory = _ => "adam",
        };
        var mixed = new Option<bool>("--mixed-precision") { Description = "16-bit weights/gradients/activations with fp32 master weights and optimizer state" };
        var json = new Option<bool>("--json") { Description = "Print the stable JSON form (docs/schemas/estimate.schema.json; with --list, presets.schema.json)" };
        var list = new Option<bool>("--list") { Description = "List the bundled presets: family, total and active parameters" };
        var fineTune = new FineTuneOptions();
        var time = new Option<bool>("--time") { Description = "Also predict one fp32 training step's time on this machine, from its `scalelab calibrate` profile (measured now, about 20 s, when missing)" };
        var profile = new Option<string?>("--profile") { Description = "With --time: the machine profile to use [default: ~/.scalelab/machine-profile-tN.json]" };
        var threads = new Option<int?>("--threads") { Description = "With --time: libtorch intra-op threads the step runs at (picks that thread count's profile) [default: libtorch's choice]" };

        var command = new Command("estimate",
            "Count a model's parameters, forward/training FLOPs, training and inference memory, and disk size, before training it.\n\n"
            + "Examples:\n  scalelab estimate resnet-18 --batch 64 --mixed-precision\n  scalelab estimate deepseek-v3 --json\n  scalelab estimate --list\n"
            + "  scalelab estimate llama-2-7b --finetune lora --lora-rank 16 --lora-targets all-linear   # trainable (adapter) and total parameters\n"
            + "  scalelab estimate lenet-5 --batch 256 --time --threads 1   # and the step's time on this machine");
        command.Arguments.Add(target);
        foreach (var option in new Option[] { all, list, batch, seq, precision, optimizer, mixed, json }.Concat(fineTune.All).Concat([time, profile, threads])) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var options = new EstimateOptions(
                Positive(parse.GetValue(batch), "--batch"),
                Positive(parse.GetValue(seq), "--seq"),
                ParsePrecision(parse.GetValue(precision)!),
                OptimizerKindInfo.Parse(parse.GetValue(optimizer)!, "--optimizer"),
                parse.GetValue(mixed),
                fineTune.Parse(parse));
            var output = parse.InvocationConfiguration.Output;
            string? text = parse.GetValue(target);
            bool timed = parse.GetValue(time);
            if (!timed && (parse.GetValue(profile) is not null || parse.GetValue(threads) is not null))
                throw new ScaleLabException($"{(parse.GetValue(profile) is not null ? "--profile" : "--threads")} applies to --time only");
            if (parse.GetValue(threads) is < 1) throw new ScaleLabException($"--threads {parse.GetValue(threads)}: it must be at least 1");
            if (timed && (text is null || parse.GetValue(all) || parse.GetValue(list)))
                throw new ScaleLabException("--time predicts one model's step: give one TARGET (not --all or --list)");
            if (parse.GetValue(list))
            {
                if (text is not null) throw new ScaleLabException("give either a TARGET or --list, not both");
                return List(parse.GetValue(json), output);
            }
            if (text is null || parse.GetValue(all))
            {
                if (text is not null) throw new ScaleLabException("give either a TARGET or --all, not both");
                return Compare(options, parse.GetValue(json), output);
            }
            var resolved = TargetResolver.Resolve(text);
            // A weights file is counted from its headers, without loading a tensor: the inspect command's job.
            if (resolved is CheckpointTarget checkpoint)
            {
                if (timed) throw new ScaleLabException($"--time: {text}: a checkpoint's headers do not say how its layers run; give its config.json, a preset or a spec .json");
                // The note goes to stderr: with --json, stdout stays one JSON document.
                if (checkpoint.Note is { } note) parse.InvocationConfiguration.Error.WriteLine("note: " + note);
                return InspectCommand.Run(checkpoint.Path, parse.GetValue(json), output);
            }
            var report = EstimateReport.Create(((ModelTarget)resolved).Spec, options);
            if (timed) report = report with { Time = PredictTime(report, parse.GetValue(profile), parse.GetValue(threads), parse.InvocationConfiguration.Error) };
            if (parse.GetValue(json)) output.WriteLine(EstimateReportJson.Write(report));
            else EstimateRenderer.Render(Terminal.For(output), report);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The step's predicted time from this thread count's profile. Apart from the command's action so that an estimate
    /// without --time never loads TorchSharp (its start-up stays under 100 ms).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static StepTimePrediction PredictTime(EstimateReport report, string? profilePath, int? threads, TextWriter error)
    {
        // Every input is checked before the machine may be measured.
        StepTimePrediction.Check(report);
        MachineProfile machine;
        string source;
        if (profilePath is not null)
        {
            // A named profile is read as it is: nothing runs, so libtorch is not loaded.
            (machine, source) = (MachineProfileJson.Load(profilePath), profilePath);
            if (threads is { } t && machine.Threads != t)
                throw new ScaleLabException($"{source}: measured at {machine.Threads} thread{(machine.Threads == 1 ? "" : "s")}, not the {t} --threads asks for; run scalelab calibrate --threads {t}");
        }
        else
        {
            using var torchThreads = ScaleLab.Torch.TorchThreads.Use(threads);
            (machine, source) = MachineProfiles.For(null, new DataCommand.LineProgress(error), error);
            if (VerifyCommand.GemmPathMismatch(machine, ScaleLab.Torch.MklCodePath.ProfileNote) is { } mismatch) error.WriteLine($"warning: {source}: {mismatch}");
        }

        return StepTimePrediction.For(report, machine, source);
    }

    private static int Compare(EstimateOptions options, bool json, TextWriter output)
    {
        // Smallest first: the table reads as a walk up the scale.
        var reports = ModelPresets.Names.Select(name => EstimateReport.Create(ModelPresets.Load(name), options))
            .OrderBy(r => r.Cost.Parameters).ThenBy(r => r.Spec.Name, StringComparer.Ordinal).ToList();
        if (json) output.WriteLine(EstimateReportJson.WriteAll(reports));
        else ComparisonRenderer.Render(Terminal.For(output), reports, options);
        return 0;
    }

    private static int List(bool json, TextWriter output)
    {
        var presets = PresetSummary.All();
        if (json) output.WriteLine(PresetSummaryJson.Write(presets));
        else PresetListRenderer.Render(Terminal.For(output), presets);
        return 0;
    }

    internal static Precision ParsePrecision(string text) => PrecisionInfo.Parse(text, "--precision");

    internal static long? Positive(long? value, string option) => value is < 1
        ? throw new ScaleLabException($"{option} {value}: it must be at least 1")
        : value;
}
