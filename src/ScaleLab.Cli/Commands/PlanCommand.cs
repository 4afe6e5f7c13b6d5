using System.CommandLine;
using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Targets;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `scalelab plan`: will it fit, how long, what will it cost (training); how fast can it decode (serving); how big
/// a model for a compute budget (Chinchilla); which hardware is known. Exit 0 when the plan fits, 1 when it does not
/// (the report is printed either way), as for any failed check. docs/planning.md explains every figure.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var target = new Argument<string?>("target") { Description = "A preset name, a spec .json or a Hugging Face config.json (or its folder)", Arity = ArgumentArity.ZeroOrOne };
        var tokens = new Option<string?>("--tokens") { Description = "Training tokens D, e.g. 1.4T, 300B, 2e12" };
        var compute = new Option<string?>("--compute") { Description = "A compute budget C in FLOPs, e.g. 5.76e23: prints the Chinchilla-optimal model size and tokens" };
        var hardware = new Option<string>("--hardware") { Description = "a100-40gb, a100-80gb, h100-sxm, h200, l4, rtx-4090, cpu (measured here), or a profile .json", DefaultValueFactory = _ => "h100-sxm" };
        var gpus = new Option<int?>("--gpus") { Description = "GPUs (default: tp × pp)" };
        var zero = new Option<int>("--zero") { Description = "ZeRO stage over the data-parallel group: 0, 1, 2 or 3", DefaultValueFactory = _ => 0 };
        var tp = new Option<int>("--tp") { Description = "Tensor-parallel degree", DefaultValueFactory = _ => 1 };
        var pp = new Option<int>("--pp") { Description = "Pipeline-parallel degree (1F1B schedule)", DefaultValueFactory = _ => 1 };
        var sequenceParallel = new Option<bool>("--sequence-parallel") { Description = "Split the norm and dropout activations along the sequence too (needs --tp ≥ 2)" };
        var microBatch = new Option<long>("--micro-batch") { Description = "Sequences (or samples) per GPU per micro-batch", DefaultValueFactory = _ => 1 };
        var seq = new Option<long?>("--seq") { Description = "Training sequence length (default: the model's context)" };
        var mfu = new Option<double>("--mfu") { Description = "Model FLOPs utilisation (PaLM, Appendix B)", DefaultValueFactory = _ => TrainingTime.DefaultMfu };
        var price = new Option<double?>("--price-per-hour") { Description = "Price of one GPU-hour, for the cost line" };
        var checkpointing = new Option<bool>("--activation-checkpointing") { Description = "Keep only each layer's input (full recomputation)" };
        var recompute = new Option<string?>("--recompute") { Description = "none (default; full for --finetune qlora, as its recipes run) | selective (the attention core; matters with --attention eager) | full (Korthikanti et al. 2022)" };
        var attention = new Option<string>("--attention") { Description = "flash (fused kernel, no s×s scores kept; default) | eager (scores, softmax and their dropout kept)", DefaultValueFactory = _ => "flash" };
        var noDropout = new Option<bool>("--no-dropout") { Description = "Keep no dropout masks whatever the model's rates (default: the model's own; 0 for Llama, Mistral)" };
        recompute.AcceptOnlyFromAmong("none", "selective", "full");
        var precision = new Option<string?>("--precision") { Description = "Training: fp32, tf32, bf16 (default), fp16, fp8. Serving: fp32, fp16 (default), bf16, fp8, int8, int4" };
        var optimizer = new Option<string>("--optimizer") { Description = "adam (default), adamw, sgd, sgd_momentum, adam8bit", DefaultValueFactory = _ => "adam" };
        var serve = new Option<bool>("--serve") { Description = "Plan inference instead: weights + KV cache, decode tokens/s bounds, largest batch" };
        var context = new Option<long?>("--context") { Description = "Serving: tokens held per sequence (default: the model's context)" };
        var batch = new Option<long>("--batch") { Description = "Serving: sequences decoded together", DefaultValueFactory = _ => 1 };
        var kvPrecision = new Option<string?>("--kv-precision") { Description = "Serving: KV cache precision (default: as the weights; fp16 for int4)" };
        var listHardware = new Option<bool>("--list-hardware") { Description = "List the built-in hardware profiles and their sources" };
        var json = new Option<bool>("--json") { Description = "Print JSON (docs/schemas/plan.schema.json) instead of tables" };
        var fineTune = new FineTuneOptions();

        var command = new Command("plan", """
            Plan training or serving on real hardware: per-GPU memory under data parallel with ZeRO 0-3, tensor and
            pipeline parallelism and activation recomputation, with a verdict and the smallest layout that fits;
            training FLOPs (exact and 6·N·D), time, GPU-hours and cost; or, with --serve, weights + KV cache and decode
            tokens/s bounds; or, with --compute, the Chinchilla compute-optimal model size. Exits 1 when it does not fit.

            Examples:
              scalelab plan llama-3-8b --tokens 15T --gpus 64 --zero 1 --seq 2048 --recompute selective --no-dropout --price-per-hour 2.5
              scalelab plan gpt2-small --tokens 10B --hardware rtx-4090 --micro-batch 8 --seq 1024 --activation-checkpointing
              scalelab plan llama-2-7b --serve --context 4096 --batch 16 --precision int4 --hardware l4
              scalelab plan --compute 5.76e23
              scalelab plan --list-hardware
            """);
        command.Arguments.Add(target);
        foreach (var o in new Option[] { tokens, compute, hardware, gpus, zero, tp, pp, sequenceParallel, microBatch, seq, mfu, price, checkpointing, recompute, attention, noDropout, precision, optimizer, serve, context, batch, kvPrecision, listHardware, json }.Concat(fineTune.All))
            command.Options.Add(o);

        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            if (parse.GetValue(listHardware))
            {
                if (asJson) PlanJson.WriteHardware(output, HardwareCatalog.BuiltIn);
                else PlanTables.WriteHardware(output, HardwareCatalog.BuiltIn);
                return CliApp.ExitOk;
            }
            if (parse.GetValue(compute) is string budget)
            {
                var split = ComputeOptimal.For(PlanQuantity.Parse(budget, "--compute"));
                if (asJson) PlanJson.WriteComputeOptimal(output, split);
                else PlanTables.WriteComputeOptimal(output, split);
                return CliApp.ExitOk;
            }

            string text = parse.GetValue(target)
                ?? throw new ScaleLabException("plan needs a TARGET (a preset, spec .json or config.json), or --compute C, or --list-hardware");
            var spec = ResolveSpec(text);
            var device = PlanHardware.Resolve(parse.GetValue(hardware)!);

            if (parse.GetValue(serve))
            {
                var weights = ParsePrecision(parse.GetValue(precision) ?? "fp16", "--precision");
                Precision? kv = parse.GetValue(kvPrecision) is string k ? ParsePrecision(k, "--kv-precision") : null;
                long contextLength = parse.GetValue(context) ?? ModelAccounting.DefaultContext(spec);
                var cost = ModelAccounting.Account(spec, ModelAccounting.IsSequenceModel(spec) ? contextLength : null);
                var plan = ServingPlanner.Plan(cost, device, contextLength, parse.GetValue(batch), weights, kv, parse.GetValue(gpus) ?? 1);
                if (asJson) PlanJson.WriteServing(output, cost, device, plan);
                else PlanTables.WriteServing(output, cost, device, plan);
                return plan.Fits ? CliApp.ExitOk : CliApp.ExitUserError;
            }

            var format = ComputeFormatInfo.Parse(parse.GetValue(precision) ?? "bf16", "--precision");
            if (!OptimizerKindInfo.TryParse(parse.GetValue(optimizer)!, out var optimizerKind))
                throw new ScaleLabException($"--optimizer '{parse.GetValue(optimizer)}': unknown; valid: {string.Join(", ", OptimizerKindInfo.All.Select(o => o.Name()))}");
            long sequence = parse.GetValue(seq) ?? ModelAccounting.DefaultContext(spec);
            var trainingCost = ModelAccounting.Account(spec, ModelAccounting.IsSequenceModel(spec) ? sequence : null);
            var fineTuneSetup = fineTune.Parse(parse);
            var recomputeMode = parse.GetValue(checkpointing) ? ActivationRecompute.Full
                : parse.GetValue(recompute) is string r ? ParseRecompute(r)
                : fineTuneSetup?.Method == FineTuneMethod.Qlora ? ActivationRecompute.Full   // peft's prepare_model_for_kbit_training turns checkpointing on
                : ActivationRecompute.None;
            var setup = new TrainingSetup(parse.GetValue(microBatch), sequence, format, recomputeMode,
                parse.GetValue(noDropout) ? false : null, optimizerKind, AttentionKernelInfo.Parse(parse.GetValue(attention)!), fineTuneSetup);
            int tensor = parse.GetValue(tp), pipeline = parse.GetValue(pp);
            var layout = new ParallelLayout(parse.GetValue(gpus) ?? (tensor * pipeline), parse.GetValue(zero), tensor, pipeline, parse.GetValue(sequenceParallel));
            double? tokenCount = parse.GetValue(tokens) is string t ? PlanQuantity.Parse(t, "--tokens") : null;
            var training = TrainingPlanner.Plan(trainingCost, device, layout, setup, tokenCount, parse.GetValue(mfu), parse.GetValue(price));
            if (asJson) PlanJson.WriteTraining(output, training);
            else PlanTables.WriteTraining(output, training);
            return training.Memory.Fits ? CliApp.ExitOk : CliApp.ExitUserError;
        });
        return command;
    }

    private static Core.Spec.ModelSpec ResolveSpec(string text) => TargetResolver.Resolve(text) switch
    {
        ModelTarget model => model.Spec,
        CheckpointTarget checkpoint => throw new ScaleLabException(
            $"{checkpoint.Path}: plan needs the model's architecture; give its config.json (or the folder holding it) rather than the weights file"),
        var other => throw new ScaleLabException($"{other.Text}: not a model target"),
    };

    private static Precision ParsePrecision(string text, string option) =>
        PrecisionInfo.TryParse(text, out var p)
            ? p
            : throw new ScaleLabException($"{option} '{text}': unknown precision; valid: {string.Join(", ", PrecisionInfo.All.Select(x => x.Name()))}");

    private static ActivationRecompute ParseRecompute(string text) => text switch
    {
        "selective" => ActivationRecompute.Selective,
        "full" => ActivationRecompute.Full,
        _ => ActivationRecompute.None,
    };
}
