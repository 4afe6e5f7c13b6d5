using System.Globalization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Formatting;
using ScaleLab.Core.Planning;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>What `plan` prints for people: aligned tables with human units, then one "verdict:" line.</summary>
internal static class PlanTables
{
    public static void WriteTraining(TextWriter output, TrainingPlan plan)
    {
        var console = Console(output);
        var memory = plan.Memory;
        var setup = plan.Setup;
        var state = setup.State;
        string job = setup.FineTune is { } f ? $"fine-tuning ({f.Method.Name()})" : "training";
        output.WriteLine($"{plan.Cost.Spec.Name}: {Count(plan.Cost.Parameters)} parameters, {job} on {plan.Hardware.Description} ({plan.Hardware.Name})");
        if (memory.FineTune is { } adapters)
            output.WriteLine($"parameters: {Exact(adapters.TrainableParameters)} trainable of {Exact(adapters.TotalParameters)} ({((double)adapters.TrainableParameters / adapters.TotalParameters).ToString("0.0000%", CultureInfo.InvariantCulture)}); LoRA r {adapters.Setup.Lora.Rank} on {adapters.Setup.Lora.Targets.Name()}");
        output.WriteLine($"layout: {memory.Layout}; micro-batch {Exact(setup.MicroBatch)} × {Exact(setup.SequenceLength)} tokens, {setup.Format.Name()}{(setup.FineTune?.Method.UsesAdapters() == true ? " compute" : state.MasterWeightBytes > 0 ? " mixed precision" : "")}, {setup.Optimizer.Name()}, recompute {setup.Recompute.Name()}");
        output.WriteLine($"assumptions: {string.Join("; ", plan.Assumptions)}");
        output.WriteLine();

        var table = Table("per GPU", "bytes", "how");
        if (memory.FineTune is { } ft) FineTuneRows(table, ft, setup, memory);
        else ModelStateRows(table, memory, state);
        table.AddRow("buffers", Bytes(memory.Buffers), "non-trainable state, fp32");
        table.AddRow("[bold]total[/]", $"[bold]{Bytes(memory.TotalBytes)}[/]", Percent(memory.TotalBytes, memory.CapacityBytes) + " of the device");
        table.AddRow("device memory", Bytes(memory.CapacityBytes), Markup.Escape(plan.Hardware.Name) + $" ({Gigabytes(memory.CapacityBytes)})");
        console.Write(table);

        output.WriteLine($"verdict: {plan.Verdict}");
        if (!memory.Fits)
        {
            output.WriteLine(plan.FitChanges.Count == 0
                ? "cheapest changes that fit: no single change fits; see the smallest layout"
                : "cheapest changes that fit, ranked:");
            for (int i = 0; i < plan.FitChanges.Count; i++)
            {
                var change = plan.FitChanges[i];
                output.WriteLine($"  {i + 1}. {change.Change}: {Bytes(change.Memory.TotalBytes)} per GPU — cost: {change.Cost}");
            }
        }
        output.WriteLine(plan.Smallest is { } s
            ? $"smallest layout that fits: {s.Layout}, {Bytes(s.TotalBytes)} per GPU"
            : $"smallest layout that fits: none within {Exact(LayoutSearch.MaxGpus)} GPUs");
        output.WriteLine($"  (searched: 1 to {Exact(LayoutSearch.MaxGpus)} GPUs in powers of two; tp 1, 2, 4, 8 dividing the heads; pp powers of two up to the layers; cp 1, 2, 4, 8 dividing the sequence; ep dividing the experts; ZeRO 0-3)");

        if (plan.Compute is not { } c)
        {
            output.WriteLine("time and cost: give --tokens D");
            return;
        }
        output.WriteLine();
        var time = Table("training", "value", "how");
        time.AddRow("tokens", Count(c.Tokens), "D");
        time.AddRow("FLOPs per token", Scientific(c.TrainingFlopsPerToken), setup.FineTune?.Method.UsesAdapters() == true
            ? "forward + input gradients: the frozen base computes no weight gradients (attention's backward kept)"
            : "forward + backward (3 × forward), layer by layer, attention included");
        time.AddRow("training FLOPs", Scientific(c.ExactFlops), "exact: FLOPs per token × D");
        time.AddRow("6·N·D", Scientific(c.ApproximateFlops), $"N = {Count(c.ParametersPerToken)} parameters used per token");
        time.AddRow("peak", $"{Flops(c.PeakFlopsPerGpu)}FLOP/s", $"{c.Format.Name()} dense, per GPU × {Exact(c.Gpus)}, MFU {c.Mfu.ToString("0.00", CultureInfo.InvariantCulture)}");
        time.AddRow("wall-clock", Duration(c.Seconds), "exact FLOPs / (GPUs × peak × MFU)");
        time.AddRow("GPU-hours", c.GpuHours.ToString(c.GpuHours >= 100 ? "#,0" : "0.###", CultureInfo.InvariantCulture), "wall-clock × GPUs");
        time.AddRow("cost", c.Cost is double cost ? cost.ToString("#,0.00", CultureInfo.InvariantCulture) : "—",
            c.CostPerGpuHour is double price ? $"{price.ToString("0.00##", CultureInfo.InvariantCulture)} per GPU-hour" : "give --price-per-hour");
        console.Write(time);
    }

    public static void WriteServing(TextWriter output, ModelCost cost, HardwareProfile hardware, ServingPlan plan, ServingPhases phases,
        ExpertParallelServing? expertParallel = null)
    {
        ArgumentNullException.ThrowIfNull(phases);
        var console = Console(output);
        output.WriteLine($"{cost.Spec.Name}: {Count(cost.Parameters)} parameters ({Count(cost.ActiveParameters)} active), serving on {Exact(plan.Gpus)} × {hardware.Description} ({hardware.Name})");
        output.WriteLine($"weights {plan.WeightFormatName}, KV cache {plan.KvFormatName}, context {Exact(plan.Context)} tokens, batch {Exact(plan.Batch)}");
        if (plan.Formats?.Weights is { } stored)
            output.WriteLine($"weight formats: {string.Join(", ", stored.Mix.Select(x => $"{x.Format} {Count(x.Parameters)}"))} parameters ({(8.0 * stored.TotalBytes / stored.Parameters).ToString("0.000", CultureInfo.InvariantCulture)} bits each on average, scales included)");
        output.WriteLine();
        var memory = Table("memory", "bytes", "how");
        memory.AddRow("weights", Bytes(plan.WeightBytes), $"{plan.WeightFormatName} × {Count(cost.Parameters)} parameters");
        memory.AddRow("KV cache", Bytes(plan.KvCacheBytes), $"{Bytes(plan.KvCacheBytesPerSequence)} per sequence × {Exact(plan.Batch)}");
        // Layers cache differently in current models (MLA latents, sliding windows): one line per kind.
        if (cost.Spec.Transformer is { Kind: TransformerKind.Decoder } t && KvCache.For(t, plan.Context) is { } kv
            && !kv.IsUniform)
        {
            foreach (var g in kv.Groups)
                memory.AddRow($"  {g.Kind}", Bytes(kv.ShareOf(g, plan.KvCacheBytes)),
                    $"{Exact(g.Layers)} layers × {Exact(g.ElementsPerToken)} values × {Exact(g.CachedTokens)} tokens");
        }
        memory.AddRow("[bold]total[/]", $"[bold]{Bytes(plan.TotalBytes)}[/]", Percent(plan.TotalBytes, plan.CapacityBytes) + " of the devices");
        memory.AddRow("device memory", Bytes(plan.CapacityBytes), $"{Exact(plan.Gpus)} × {Bytes(hardware.MemoryBytes)}");
        memory.AddRow("largest batch", plan.MaxBatch is long m ? Exact(m) : "—", "sequences whose cache fits beside the weights");
        memory.AddRow("paged KV cache", phases.MaxConcurrentSequences is long paged ? Exact(paged) : "—",
            $"sequences in {Exact(phases.BlockTokens)}-token blocks ({Exact(phases.BlocksPerSequence)} each, {Bytes(phases.WasteBytesPerSequence)} unused in the last)");
        console.Write(memory);
        output.WriteLine();
        var prefill = Table("prefill", "seconds", "how");
        prefill.AddRow("compute-bound", Seconds(phases.PrefillComputeSeconds), $"{Scientific(phases.PrefillFlops)} FLOPs for {Exact(plan.Batch)} × {Exact(phases.PromptTokens)} prompt tokens (causal attention included)");
        prefill.AddRow("memory-bound", Seconds(phases.PrefillMemorySeconds), $"{Bytes(phases.PrefillBytes)}: weights once + K, V written");
        prefill.AddRow("[bold]time to first token[/]", $"[bold]{Seconds(phases.TimeToFirstTokenSeconds)}[/]",
            $"{(phases.PrefillIsComputeBound ? "compute" : "memory-bandwidth")} bound; {Rate(phases.PrefillTokensPerSecond)} prompt tokens/s");
        console.Write(prefill);
        output.WriteLine();
        var speed = Table("decode", "tokens/s", "how");
        speed.AddRow("memory-bound", Rate(plan.MemoryBoundTokensPerSecond), $"batch × {Gigabytes(plan.BandwidthBytesPerSecond)}/s ÷ {Bytes(plan.BytesReadPerStep)} read per step");
        speed.AddRow("compute-bound", Rate(plan.ComputeBoundTokensPerSecond), $"{Flops(plan.PeakFlopsPerSecond)}FLOP/s {plan.ComputeFormat.Name()} ÷ {Scientific(plan.FlopsPerToken)} FLOPs per token");
        speed.AddRow("[bold]upper bound[/]", $"[bold]{Rate(plan.TokensPerSecondUpperBound)}[/]", plan.IsMemoryBound ? "memory-bandwidth bound" : "compute bound");
        speed.AddRow("per sequence", Rate(phases.DecodeTokensPerSecondPerSequence), $"the upper bound shared by {Exact(plan.Batch)} sequence{(plan.Batch == 1 ? "" : "s")}");
        console.Write(speed);
        if (expertParallel is { } ep) WriteExpertParallel(output, console, ep, plan);
        output.WriteLine($"verdict: {ServingPlanner.Verdict(plan, hardware)}");
    }

    /// <summary>Expert-parallel serving: one GPU's share, which decides whether it fits, and its decode bound.</summary>
    private static void WriteExpertParallel(TextWriter output, IAnsiConsole console, ExpertParallelServing ep, ServingPlan plan)
    {
        output.WriteLine();
        var table = Table($"expert parallel, ep {Exact(ep.Gpus)}", "per GPU", "how");
        table.AddRow("dense weights", Bytes(ep.DenseWeightBytes), "attention, embeddings, router: whole on every GPU");
        table.AddRow("experts", Bytes(ep.ExpertWeightBytes), $"E/{Exact(ep.Gpus)} of every layer's experts");
        table.AddRow("KV cache", Bytes(ep.KvBytes), $"⌈{Exact(plan.Batch)} / {Exact(ep.Gpus)}⌉ sequences decoded here");
        table.AddRow("[bold]total[/]", $"[bold]{Bytes(ep.TotalBytes)}[/]", Percent(ep.TotalBytes, ep.CapacityBytes) + " of the device" + (ep.Fits ? "" : ": does not fit"));
        table.AddRow("largest batch", ep.MaxBatch is long m ? Exact(m) : "—", "over all GPUs");
        table.AddRow("decode upper bound", $"{Rate(ep.TokensPerSecondUpperBound)} tokens/s", $"memory-bound {Rate(ep.MemoryBoundTokensPerSecond)}: {Bytes(ep.BytesReadPerStep)} read per GPU per step");
        console.Write(table);
    }

    public static void WriteComputeOptimal(TextWriter output, ComputeOptimalSplit split)
    {
        var console = Console(output);
        output.WriteLine($"compute-optimal split of {Scientific(split.ComputeFlops)} FLOPs (Hoffmann et al. 2022, Chinchilla; C = 6·N·D)");
        var table = Table("rule", "parameters", "tokens", "tokens/param", "fitted loss");
        table.AddRow("20 tokens per parameter", Count(split.RuleParameters), Count(split.RuleTokens), "20", Loss(split.RuleLoss));
        table.AddRow("fitted law (approach 3)", Count(split.FittedParameters), Count(split.FittedTokens),
            (split.FittedTokens / split.FittedParameters).ToString("0.0", CultureInfo.InvariantCulture), Loss(split.FittedLoss));
        console.Write(table);
        output.WriteLine("fitted law: L(N, D) = 1.69 + 406.4/N^0.34 + 410.7/D^0.28; N_opt = G·(C/6)^0.452, D_opt = (C/6)^0.548 / G, G = 1.345");
    }

    public static void WriteHardware(TextWriter output, IReadOnlyList<HardwareProfile> profiles)
    {
        var console = Console(output);
        var table = Table("name", "memory", "bandwidth", "fp32", "tf32", "bf16", "fp16", "fp8", "int8");
        foreach (var h in profiles)
        {
            string Peak(ComputeFormat f) => h.Peak.For(f) is double v ? Flops(v) : "—";
            table.AddRow(Markup.Escape(h.Name), Gigabytes(h.MemoryBytes), Gigabytes(h.MemoryBandwidthBytesPerSecond) + "/s", Peak(ComputeFormat.Fp32), Peak(ComputeFormat.Tf32),
                Peak(ComputeFormat.Bf16), Peak(ComputeFormat.Fp16), Peak(ComputeFormat.Fp8), Peak(ComputeFormat.Int8));
        }
        console.Write(table);
        output.WriteLine("memory and bandwidth in datasheet units (1 GB = 10^9 bytes); peak dense FLOP/s (int8: OP/s); cpu is measured by a GEMM when chosen with --hardware cpu. Sources:");
        foreach (var h in profiles) output.WriteLine($"  {h.Name}: {h.Source}");
    }

    /// <summary>Plain text at a fixed width, so the output is the same in a terminal, a pipe and a test.</summary>
    private static IAnsiConsole Console(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 120;
        return console;
    }

    private static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        for (int i = 0; i < columns.Length; i++)
            table.AddColumn(new TableColumn(columns[i]) { Alignment = i == 0 || (i == columns.Length - 1 && columns[i] == "how") ? Justify.Left : Justify.Right });
        return table;
    }

    private static void ModelStateRows(Table table, TrainingMemoryPlan memory, TrainingState state)
    {
        long p = memory.ParametersPerGpu;
        int dp = memory.Layout.DataParallel, z = memory.Layout.Zero;
        table.AddRow("weights", Bytes(memory.ModelState.Weights), Rule(state.WeightBytes, p, z >= 3, dp));
        table.AddRow("gradients", Bytes(memory.ModelState.Gradients), Rule(state.GradientBytes, p, z >= 2, dp));
        table.AddRow("master weights", Bytes(memory.ModelState.MasterWeights), Rule(state.MasterWeightBytes, p, z >= 1, dp));
        table.AddRow("optimizer state", Bytes(memory.ModelState.OptimizerState), Rule(state.OptimizerBytes, p, z >= 1, dp));
        table.AddRow("activations", Bytes(memory.Activations), Markup.Escape(ActivationRule(memory)));
    }

    /// <summary>LoRA/QLoRA: the frozen base, the adapters and their state, the base's activations and what the adapters add.</summary>
    private static void FineTuneRows(Table table, FineTuneMemory ft, TrainingSetup setup, TrainingMemoryPlan memory)
    {
        int dp = memory.Layout.DataParallel, z = memory.Layout.Zero;
        string Shard(int fromStage) => z >= fromStage && dp > 1 ? $" ÷ {Exact(dp)} (ZeRO)" : "";
        long n = ft.TrainableParameters;
        string frozen = ft.Setup.Method == FineTuneMethod.Qlora
            ? $"{Count(ft.BaseParameters)} parameters: block matrices NF4 (4.127 bits), the rest bf16"
            : $"{setup.Format.Name()} × {Count(ft.BaseParameters)} parameters";
        int optimizerBytes = (int)MemoryEstimator.OptimizerStateBytes(1, setup.Optimizer, Precision.Fp32);
        table.AddRow("frozen base", Bytes(ft.FrozenWeights), Markup.Escape(frozen + Shard(3)));
        int adapterBytes = ft.Setup.Lora.AdapterBytes;
        table.AddRow("LoRA adapters", Bytes(ft.AdapterWeights), $"{adapterBytes} bytes × {Count(n)} trainable parameters ({(adapterBytes == 4 ? "fp32" : "bf16")}){Shard(3)}");
        table.AddRow("adapter gradients", Bytes(ft.AdapterGradients), $"{adapterBytes} bytes × {Count(n)}{Shard(2)}");
        table.AddRow("optimizer state", Bytes(ft.OptimizerState), $"{optimizerBytes} bytes × {Count(n)} ({setup.Optimizer.Name()}){Shard(1)}");
        table.AddRow("activations", Bytes(ft.BaseActivations), Markup.Escape(ActivationRule(memory)));
        table.AddRow("adapter activations", Bytes(ft.AdapterActivations), setup.Recompute == ActivationRecompute.Full
            ? "recomputed with each layer"
            : Markup.Escape($"A·x ({ft.Setup.Lora.Rank} wide) per targeted matrix and token{(ft.Setup.Lora.Dropout > 0 ? ", + dropped input and mask" : "")}"));
    }

    private static string Rule(int bytesPerParameter, long parameters, bool sharded, int dataParallel) =>
        $"{bytesPerParameter} bytes × {Count(parameters)} parameters{(sharded && dataParallel > 1 ? $" ÷ {Exact(dataParallel)} (ZeRO)" : "")}";

    private static string ActivationRule(TrainingMemoryPlan memory) => memory.ActivationDetail is { } a
        ? $"{Bytes(a.PerLayerBytes)} per layer × {Exact(a.LayersPerStage)} layers × {Exact(a.MicroBatchesInFlight)} in flight + embedding, output {Bytes(a.OutputBytes)} (Korthikanti et al. 2022)"
        : "elements kept for backward × micro-batch";

    private static string Bytes(double bytes) => HumanUnits.Bytes(bytes);

    private static string Gigabytes(double bytes) => (bytes / 1e9).ToString("#,0.#", CultureInfo.InvariantCulture) + " GB";

    /// <summary>Parameters and tokens in the field's units (1.56 B, 15 T); compute keeps SI (<see cref="Flops"/>: 989.50 TFLOP/s).</summary>
    private static string Count(double value) => HumanUnits.Things(value);

    private static string Flops(double value) => HumanUnits.Count(value);

    private static string Exact(long value) => HumanUnits.Exact(value);

    private static string Scientific(double value) => value.ToString("0.00e0", CultureInfo.InvariantCulture);

    private static string Seconds(double value) => value >= 1
        ? value.ToString("0.00", CultureInfo.InvariantCulture) + " s"
        : (value * 1000).ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    private static string Rate(double value) => value.ToString(value >= 100 ? "#,0" : "0.00", CultureInfo.InvariantCulture);

    private static string Loss(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Percent(long part, long whole) => ((double)part / whole).ToString("0.0%", CultureInfo.InvariantCulture);

    /// <summary>Training runs last days: past two days, days; below, HumanUnits' hours and minutes.</summary>
    private static string Duration(double seconds) => seconds >= 2 * 86_400
        ? $"{(seconds / 86_400).ToString("#,0.0", CultureInfo.InvariantCulture)} days"
        : HumanUnits.Duration(seconds);
}
