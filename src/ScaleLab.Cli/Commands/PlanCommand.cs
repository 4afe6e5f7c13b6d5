using System.CommandLine;
using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.NumberFormats;
using ScaleLab.Core.Planning;
using ScaleLab.Core.Planning.Launch;
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
        var ep = new Option<int>("--ep") { Description = "Expert-parallel degree (mixture of experts): E/ep experts per rank, carved from the data-parallel ranks", DefaultValueFactory = _ => 1 };
        var cp = new Option<int>("--cp") { Description = "Context-parallel degree: each rank holds seq/cp tokens of every layer (ring attention)", DefaultValueFactory = _ => 1 };
        var capacity = new Option<double>("--capacity-factor") { Description = "Mixture of experts: expert buffers hold C·k·tokens/E rows (1 = dropless, the default; GShard/Switch use 1.25)", DefaultValueFactory = _ => 1 };
        var fp8Recipe = new Option<string>("--fp8-recipe") { Description = "With --precision fp8: te (bf16 weights/grads, fp32 master and Adam; default), msamp-o1, msamp-o2, msamp-o3 (MS-AMP's fp8 gradients and moments)", DefaultValueFactory = _ => "te" };
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
        var precision = new Option<string?>("--precision") { Description = "Training: fp32, tf32, bf16 (default), fp16, fp8. Serving: fp32, fp16 (default), bf16, fp8, int8, int4 (every parameter at that width), or stored with scales: fp8-e4m3, fp8-e5m2, fp8-block, mxfp4, nvfp4, awq, gptq (awq-g64 …), q8_0, q6_k, q5_k_m, q5_k_s, q4_k_m, q4_k_s, q4_0, iq4_nl, iq4_xs" };
        var optimizer = new Option<string>("--optimizer") { Description = "adam (default), adamw, sgd, sgd_momentum, adam8bit, rmsprop, rmsprop_momentum", DefaultValueFactory = _ => "adam" };
        var serve = new Option<bool>("--serve") { Description = "Plan inference instead: weights + KV cache, decode tokens/s bounds, largest batch" };
        var context = new Option<long?>("--context") { Description = "Serving: tokens held per sequence (default: the model's context)" };
        var prompt = new Option<long?>("--prompt") { Description = "Serving: prompt tokens per sequence for the prefill (time-to-first-token) bound (default: the context)" };
        var blockSize = new Option<int>("--block-size") { Description = "Serving: tokens per paged KV-cache block (vLLM's default 16)", DefaultValueFactory = _ => ServingPhasesPlanner.DefaultBlockTokens };
        var batch = new Option<long>("--batch") { Description = "Serving: sequences decoded together", DefaultValueFactory = _ => 1 };
        var kvPrecision = new Option<string?>("--kv-precision") { Description = "Serving: KV cache format: fp32, fp16, bf16, fp8 (E4M3), fp8-e5m2, int8, int4 (with per-head scales), q8_0, q4_0 (default: as plain weights; fp16 for int4 and stored formats)" };
        var listHardware = new Option<bool>("--list-hardware") { Description = "List the built-in hardware profiles and their sources" };
        var json = new Option<bool>("--json") { Description = "Print JSON (docs/schemas/plan.schema.json) instead of tables" };
        var emit = new Option<string?>("--emit") { Description = "Training: write the launch configuration of deepspeed (ds_config.json), torchrun-fsdp (fsdp_config.json, torchrun.sh) or megatron (megatron-args.sh) for this layout into --out, with plan.json beside it" };
        var emitOut = new Option<string?>("--out") { Description = "With --emit: the folder to write into" };
        var globalBatch = new Option<long?>("--global-batch") { Description = "With --emit: sequences per optimizer step (default micro-batch × data-parallel: no accumulation)" };
        var fineTune = new FineTuneOptions();

        var command = new Command("plan", """
            Plan training, fine-tuning or serving on real hardware: per-GPU memory under data parallel with ZeRO 0-3,
            tensor and pipeline parallelism and activation recomputation (FlashAttention and the model's own dropout
            by default, stated on an assumptions line), with a verdict, the cheapest changes that fit and the smallest
            layout; training FLOPs (exact and 6·N·D), time, GPU-hours and cost; with --finetune, LoRA/QLoRA adapters
            on a frozen base; with --serve, weights (plain or stored with their scales) + KV cache and decode tokens/s
            bounds; with --compute, the Chinchilla compute-optimal model size. Exits 1 when it does not fit.

            Examples:
              train:        scalelab plan llama-3-8b --tokens 1e12 --hardware h100-sxm --gpus 64 --zero 3
                            scalelab plan gpt2-small --tokens 10B --hardware rtx-4090 --micro-batch 8 --seq 1024 --attention eager
              fine-tune:    scalelab plan llama-2-7b --finetune qlora --hardware rtx-4090
                            scalelab plan llama-3-8b --finetune lora --lora-rank 16 --lora-targets all-linear --hardware a100-80gb --seq 2048
              serve:        scalelab plan llama-2-7b --serve --context 4096 --batch 16 --precision q4_k_m --kv-precision q8_0 --hardware rtx-4090
                            scalelab plan mixtral-8x7b --serve --precision mxfp4 --kv-precision fp8 --gpus 2 --hardware h100-sxm
              launch:       scalelab plan llama-3-8b --tokens 1e12 --gpus 64 --zero 3 --activation-checkpointing --emit deepspeed --out launch --global-batch 1024
              compute budget: scalelab plan --compute 5.76e23
              hardware:     scalelab plan --list-hardware
            """);
        command.Arguments.Add(target);
        foreach (var o in new Option[] { tokens, compute, hardware, gpus, zero, tp, pp, ep, cp, capacity, fp8Recipe, sequenceParallel, microBatch, seq, mfu, price, checkpointing, recompute, attention, noDropout, precision, optimizer, serve, context, prompt, blockSize, batch, kvPrecision, listHardware, json, emit, emitOut, globalBatch }.Concat(fineTune.All))
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
                if (parse.GetValue(fineTune.Method) is string method)
                    throw new ScaleLabException($"--finetune {method} plans training; leave it out with --serve (serve the merged model at its --precision)");
                var (weights, recipe) = ParseWeights(parse.GetValue(precision) ?? "fp16");
                var (kv, kvFormat) = parse.GetValue(kvPrecision) is string k ? ParseKv(k) : (null, null);
                long contextLength = parse.GetValue(context) ?? ModelAccounting.DefaultContext(spec);
                var cost = ModelAccounting.Account(spec, ModelAccounting.IsSequenceModel(spec) ? contextLength : null);
                var formats = recipe is null && kvFormat is null ? null : new ServingFormats(recipe is null ? null : Store(recipe, cost), kvFormat);
                int servingEp = parse.GetValue(ep);
                int servingGpus = parse.GetValue(gpus) ?? servingEp;
                if (servingEp > 1 && servingGpus != servingEp)
                    throw new ScaleLabException($"--serve --ep {servingEp} spreads the experts over every GPU; give --gpus {servingEp} (or leave it out), got --gpus {servingGpus}");
                var plan = formats is null
                    ? ServingPlanner.Plan(cost, device, contextLength, parse.GetValue(batch), weights, kv, servingGpus)
                    : ServingFormatsPlanner.Plan(cost, device, contextLength, parse.GetValue(batch), weights, formats, kv, servingGpus);
                var phases = ServingPhasesPlanner.For(cost, plan, parse.GetValue(prompt), parse.GetValue(blockSize));
                var expertParallel = servingEp > 1 ? ExpertParallelServingPlanner.For(cost, plan, device) : null;
                if (asJson) PlanJson.WriteServing(output, cost, device, plan, phases, expertParallel);
                else PlanTables.WriteServing(output, cost, device, plan, phases, expertParallel);
                return (expertParallel?.Fits ?? plan.Fits) ? CliApp.ExitOk : CliApp.ExitUserError;
            }

            var format = ComputeFormatInfo.Parse(parse.GetValue(precision) ?? "bf16", "--precision");
            var optimizerKind = OptimizerKindInfo.Parse(parse.GetValue(optimizer)!, "--optimizer");
            long sequence = parse.GetValue(seq) ?? ModelAccounting.DefaultContext(spec);
            var trainingCost = ModelAccounting.Account(spec, ModelAccounting.IsSequenceModel(spec) ? sequence : null);
            var fineTuneSetup = fineTune.Parse(parse);
            var recomputeMode = parse.GetValue(checkpointing) ? ActivationRecompute.Full
                : parse.GetValue(recompute) is string r ? ParseRecompute(r)
                : fineTuneSetup?.Method == FineTuneMethod.Qlora ? ActivationRecompute.Full   // peft's prepare_model_for_kbit_training turns checkpointing on
                : ActivationRecompute.None;
            var setup = new TrainingSetup(parse.GetValue(microBatch), sequence, format, recomputeMode,
                parse.GetValue(noDropout) ? false : null, optimizerKind, AttentionKernelInfo.Parse(parse.GetValue(attention)!), fineTuneSetup,
                parse.GetValue(capacity), Fp8RecipeInfo.Parse(parse.GetValue(fp8Recipe)!));
            int tensor = parse.GetValue(tp), pipeline = parse.GetValue(pp), expert = parse.GetValue(ep), contextParallel = parse.GetValue(cp);
            var layout = new ParallelLayout(parse.GetValue(gpus) ?? (tensor * pipeline * contextParallel * expert), parse.GetValue(zero), tensor, pipeline,
                parse.GetValue(sequenceParallel), expert, contextParallel);
            double? tokenCount = parse.GetValue(tokens) is string t ? PlanQuantity.Parse(t, "--tokens") : null;
            var training = TrainingPlanner.Plan(trainingCost, device, layout, setup, tokenCount, parse.GetValue(mfu), parse.GetValue(price));
            if (parse.GetValue(emit) is string engine)
                return PlanEmit.Write(output, training, LaunchEngineInfo.Parse(engine), parse.GetValue(emitOut), parse.GetValue(globalBatch));
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

    private static Precision ParsePrecision(string text, string option) => PrecisionInfo.Parse(text, option);

    /// <summary>A plain precision (every parameter at its width) or a storage recipe; a recipe's nominal precision is fp16 (its activations and cache).</summary>
    private static (Precision Nominal, WeightRecipe? Recipe) ParseWeights(string text)
    {
        if (PrecisionInfo.TryParse(text, out var plain)) return (plain, null);
        return WeightRecipes.Find(text) is { } recipe
            ? (Precision.Fp16, recipe)
            : throw new ScaleLabException(PrecisionInfo.UnknownMessage(text, "--precision", $", or a storage format: {string.Join(", ", WeightRecipes.Names)} (N = 32, 64, 128, 256)"));
    }

    /// <summary>fp32, fp16, bf16 as before; fp8, int8, int4, q8_0, q4_0 as formats with their scales.</summary>
    private static (Precision? Plain, KvFormat? Format) ParseKv(string text)
    {
        var format = KvFormats.Find(text)
            ?? throw new ScaleLabException($"--kv-precision '{text}': unknown KV cache format; valid: {string.Join(", ", KvFormats.All.Select(f => f.Name))} (fp8 = fp8-e4m3)");
        return format.Name switch
        {
            "fp32" => (Precision.Fp32, null),
            "fp16" => (Precision.Fp16, null),
            "bf16" => (Precision.Bf16, null),
            _ => (Precision.Fp16, format),
        };
    }

    private static WeightStorage Store(WeightRecipe recipe, ModelCost cost)
    {
        var model = cost.Spec.Transformer
            ?? throw new ScaleLabException($"--precision {recipe.Name} stores a transformer's weight tensors; {cost.Spec.Name} is a layer stack (use fp32, fp16, bf16, fp8, int8 or int4)");
        return recipe.Store(model, cost.Parameters);
    }

    private static ActivationRecompute ParseRecompute(string text) => text switch
    {
        "selective" => ActivationRecompute.Selective,
        "full" => ActivationRecompute.Full,
        _ => ActivationRecompute.None,
    };
}
