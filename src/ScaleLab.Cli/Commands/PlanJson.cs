using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Planning;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `plan --json`: one object per run, keys snake_case, raw bytes, FLOPs and seconds (no units applied), every mode
/// tagged by "mode". The schema is docs/schemas/plan.schema.json; "schema" names its version.
/// </summary>
internal static class PlanJson
{
    // Version 2: model.parameters {total, active} and memory_per_gpu.parameters {total} are objects, as "parameters" is
    // in every scalelab document (version 1 had numbers and active_parameters).
    public const string Schema = "scalelab.plan/2";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void WriteTraining(TextWriter output, TrainingPlan plan)
    {
        var m = plan.Memory;
        var root = Header("train");
        root["model"] = Model(plan.Cost);
        root["hardware"] = Hardware(plan.Hardware);
        root["setup"] = new JsonObject
        {
            ["gpus"] = m.Layout.Gpus,
            ["data_parallel"] = m.Layout.DataParallel,
            ["tensor_parallel"] = m.Layout.TensorParallel,
            ["pipeline_parallel"] = m.Layout.PipelineParallel,
            ["expert_parallel"] = m.Layout.ExpertParallel,
            ["context_parallel"] = m.Layout.ContextParallel,
            ["zero"] = m.Layout.Zero,
            ["sequence_parallel"] = m.Layout.SequenceParallel,
            ["micro_batch"] = plan.Setup.MicroBatch,
            ["sequence_length"] = plan.Setup.SequenceLength,
            ["precision"] = plan.Setup.Format.Name(),
            ["optimizer"] = plan.Setup.Optimizer.Name(),
            ["recompute"] = plan.Setup.Recompute.Name(),
            ["attention"] = plan.Setup.Attention.Name(),
            ["fp8_recipe"] = plan.Setup.Format == ComputeFormat.Fp8 ? plan.Setup.Fp8.Name() : null,
            ["dropout"] = plan.Cost.Spec.Transformer is null ? null : Dropout(plan),
        };
        root["assumptions"] = new JsonArray([.. plan.Assumptions.Select(a => (JsonNode)a)]);
        root["memory_per_gpu"] = Memory(m);
        root["finetune"] = FineTune(plan);
        root["fits"] = m.Fits;
        root["minimum_gpus_for_layout"] = plan.MinimumGpus;
        root["smallest_fit"] = plan.Smallest is { } s ? Layout(s) : null;
        root["verdict"] = plan.Verdict;
        root["fit_changes"] = new JsonArray([.. plan.FitChanges.Select(f => (JsonNode)new JsonObject
        {
            ["change"] = f.Change,
            ["cost"] = f.Cost,
            ["total_bytes"] = f.Memory.TotalBytes,
        })]);
        root["compute"] = plan.Compute is { } c ? new JsonObject
        {
            ["tokens"] = c.Tokens,
            ["parameters_per_token"] = c.ParametersPerToken,
            ["training_flops_per_token"] = c.TrainingFlopsPerToken,
            ["training_flops_exact"] = c.ExactFlops,
            ["training_flops_6nd"] = c.ApproximateFlops,
            ["peak_flops_per_gpu"] = c.PeakFlopsPerGpu,
            ["mfu"] = c.Mfu,
            ["seconds"] = c.Seconds,
            ["gpu_hours"] = c.GpuHours,
            ["price_per_gpu_hour"] = c.CostPerGpuHour,
            ["cost"] = c.Cost,
        } : null;
        Write(output, root);
    }

    public static void WriteServing(TextWriter output, ModelCost cost, HardwareProfile hardware, ServingPlan plan, ServingPhases phases,
        ExpertParallelServing? expertParallel = null)
    {
        ArgumentNullException.ThrowIfNull(phases);
        var root = Header("serve");
        root["model"] = Model(cost);
        root["hardware"] = Hardware(hardware);
        root["setup"] = new JsonObject
        {
            ["gpus"] = plan.Gpus,
            ["context"] = plan.Context,
            ["batch"] = plan.Batch,
            ["precision"] = plan.WeightFormatName,
            ["kv_precision"] = plan.KvFormatName,
            ["compute_format"] = plan.ComputeFormat.Name(),
        };
        root["memory"] = new JsonObject
        {
            ["weights_bytes"] = plan.WeightBytes,
            ["weights_bits_per_parameter"] = 8.0 * plan.WeightBytes / cost.Parameters,
            ["weight_formats"] = plan.Formats?.Weights is { } stored
                ? new JsonArray([.. stored.Mix.Select(x => (JsonNode)new JsonObject { ["format"] = x.Format, ["parameters"] = x.Parameters, ["bytes"] = x.Bytes })])
                : null,
            ["kv_cache_bytes_per_sequence"] = plan.KvCacheBytesPerSequence,
            ["kv_cache_bytes"] = plan.KvCacheBytes,
            ["kv_cache_by_layer_kind"] = KvGroups(cost, plan),
            ["total_bytes"] = plan.TotalBytes,
            ["capacity_bytes"] = plan.CapacityBytes,
        };
        root["fits"] = plan.Fits;
        root["max_batch"] = plan.MaxBatch;
        root["verdict"] = ServingPlanner.Verdict(plan, hardware);
        root["throughput"] = new JsonObject
        {
            ["bytes_read_per_step"] = plan.BytesReadPerStep,
            ["flops_per_token"] = plan.FlopsPerToken,
            ["memory_bound_tokens_per_second"] = plan.MemoryBoundTokensPerSecond,
            ["compute_bound_tokens_per_second"] = plan.ComputeBoundTokensPerSecond,
            ["tokens_per_second_upper_bound"] = plan.TokensPerSecondUpperBound,
            ["bound"] = plan.IsMemoryBound ? "memory" : "compute",
            ["tokens_per_second_per_sequence"] = phases.DecodeTokensPerSecondPerSequence,
        };
        root["prefill"] = new JsonObject
        {
            ["prompt_tokens"] = phases.PromptTokens,
            ["flops"] = phases.PrefillFlops,
            ["bytes"] = phases.PrefillBytes,
            ["compute_bound_seconds"] = phases.PrefillComputeSeconds,
            ["memory_bound_seconds"] = phases.PrefillMemorySeconds,
            ["time_to_first_token_seconds"] = phases.TimeToFirstTokenSeconds,
            ["prompt_tokens_per_second"] = phases.PrefillTokensPerSecond,
            ["bound"] = phases.PrefillIsComputeBound ? "compute" : "memory",
        };
        root["paged_kv"] = new JsonObject
        {
            ["block_tokens"] = phases.BlockTokens,
            ["blocks_per_sequence"] = phases.BlocksPerSequence,
            ["bytes_per_sequence"] = phases.PagedBytesPerSequence,
            ["waste_bytes_per_sequence"] = phases.WasteBytesPerSequence,
            ["max_sequences"] = phases.MaxConcurrentSequences,
        };
        root["expert_parallel"] = expertParallel is { } ep ? new JsonObject
        {
            ["gpus"] = ep.Gpus,
            ["dense_weights_bytes"] = ep.DenseWeightBytes,
            ["expert_weights_bytes"] = ep.ExpertWeightBytes,
            ["kv_cache_bytes"] = ep.KvBytes,
            ["total_bytes"] = ep.TotalBytes,
            ["capacity_bytes"] = ep.CapacityBytes,
            ["fits"] = ep.Fits,
            ["max_batch"] = ep.MaxBatch,
            ["bytes_read_per_step"] = ep.BytesReadPerStep,
            ["memory_bound_tokens_per_second"] = ep.MemoryBoundTokensPerSecond,
            ["tokens_per_second_upper_bound"] = ep.TokensPerSecondUpperBound,
        } : null;
        Write(output, root);
    }

    public static void WriteComputeOptimal(TextWriter output, ComputeOptimalSplit split)
    {
        var root = Header("compute_optimal");
        root["compute_flops"] = split.ComputeFlops;
        root["rule"] = new JsonObject
        {
            ["tokens_per_parameter"] = ComputeOptimal.TokensPerParameter,
            ["parameters"] = split.RuleParameters,
            ["tokens"] = split.RuleTokens,
            ["loss"] = split.RuleLoss,
        };
        root["fitted"] = new JsonObject
        {
            ["parameters"] = split.FittedParameters,
            ["tokens"] = split.FittedTokens,
            ["loss"] = split.FittedLoss,
            ["constants"] = new JsonObject
            {
                ["e"] = ComputeOptimal.E, ["a"] = ComputeOptimal.A, ["b"] = ComputeOptimal.B,
                ["alpha"] = ComputeOptimal.Alpha, ["beta"] = ComputeOptimal.Beta,
            },
        };
        Write(output, root);
    }

    public static void WriteHardware(TextWriter output, IReadOnlyList<HardwareProfile> profiles)
    {
        var root = Header("hardware");
        root["hardware"] = new JsonArray([.. profiles.Select(p => (JsonNode)Hardware(p))]);
        Write(output, root);
    }

    /// <summary>null for full training; for LoRA/QLoRA the adapters, parameters.trainable/total and memory.per_gpu_bytes by category.</summary>
    private static JsonObject? FineTune(TrainingPlan plan)
    {
        if (plan.Setup.FineTune is not { } setup) return null;
        var ft = plan.Memory.FineTune;
        var m = plan.Memory;
        return new JsonObject
        {
            ["method"] = setup.Method.Name(),
            ["lora"] = ft is null ? null : new JsonObject
            {
                ["rank"] = setup.Lora.Rank,
                ["alpha"] = setup.Lora.EffectiveAlpha,
                ["targets"] = setup.Lora.Targets.Name(),
                ["dropout"] = setup.Lora.Dropout,
                ["dtype"] = setup.Lora.AdapterBytes == 4 ? "fp32" : "bf16",
            },
            ["parameters"] = new JsonObject
            {
                ["trainable"] = ft?.TrainableParameters ?? plan.Cost.TrainableParameters,
                ["total"] = ft?.TotalParameters ?? plan.Cost.Parameters,
            },
            ["memory"] = new JsonObject
            {
                ["per_gpu_bytes"] = new JsonObject
                {
                    ["frozen_weights"] = ft?.FrozenWeights ?? 0,
                    ["trainable_weights"] = ft?.AdapterWeights ?? m.ModelState.Weights,
                    ["gradients"] = ft?.AdapterGradients ?? m.ModelState.Gradients,
                    ["master_weights"] = m.ModelState.MasterWeights,
                    ["optimizer_state"] = ft?.OptimizerState ?? m.ModelState.OptimizerState,
                    ["activations"] = ft?.BaseActivations ?? m.Activations,
                    ["adapter_activations"] = ft?.AdapterActivations ?? 0,
                    ["buffers"] = m.Buffers,
                    ["total"] = m.TotalBytes,
                },
            },
        };
    }

    private static JsonObject Dropout(TrainingPlan plan)
    {
        var d = TrainingDropout.For(plan.Cost.Spec.Transformer, plan.Setup.Dropout);
        return new JsonObject
        {
            ["residual"] = d.HiddenRate,
            ["attention"] = d.AttentionRate,
            ["masks_kept"] = d.Hidden || (d.Attention && plan.Setup.Attention == AttentionKernel.Eager && plan.Setup.Recompute == ActivationRecompute.None),
        };
    }

    private static JsonObject Header(string mode) => new() { ["schema"] = Schema, ["mode"] = mode };

    private static JsonObject Model(ModelCost cost) => new()
    {
        ["name"] = cost.Spec.Name,
        ["source"] = cost.Spec.Source,
        ["parameters"] = new JsonObject { ["total"] = cost.Parameters, ["active"] = cost.ActiveParameters },
    };

    private static JsonObject Hardware(HardwareProfile h)
    {
        var peaks = new JsonObject();
        foreach (var f in ComputeFormatInfo.All) peaks[f.Name()] = h.Peak.For(f);
        return new JsonObject
        {
            ["name"] = h.Name,
            ["description"] = h.Description,
            ["memory_bytes"] = h.MemoryBytes,
            ["memory_bandwidth_bytes_per_second"] = h.MemoryBandwidthBytesPerSecond,
            ["peak_flops"] = peaks,
            ["interconnect_bytes_per_second"] = h.InterconnectBytesPerSecond,
            ["source"] = h.Source,
        };
    }

    private static JsonObject Memory(TrainingMemoryPlan m) => new()
    {
        ["parameters"] = new JsonObject { ["total"] = m.ParametersPerGpu },
        ["weights_bytes"] = m.ModelState.Weights,
        ["gradients_bytes"] = m.ModelState.Gradients,
        ["master_weights_bytes"] = m.ModelState.MasterWeights,
        ["optimizer_state_bytes"] = m.ModelState.OptimizerState,
        ["activations_bytes"] = m.Activations,
        ["buffers_bytes"] = m.Buffers,
        ["total_bytes"] = m.TotalBytes,
        ["capacity_bytes"] = m.CapacityBytes,
    };

    private static JsonObject Layout(TrainingMemoryPlan m) => new()
    {
        ["gpus"] = m.Layout.Gpus,
        ["data_parallel"] = m.Layout.DataParallel,
        ["tensor_parallel"] = m.Layout.TensorParallel,
        ["pipeline_parallel"] = m.Layout.PipelineParallel,
        ["expert_parallel"] = m.Layout.ExpertParallel,
        ["context_parallel"] = m.Layout.ContextParallel,
        ["zero"] = m.Layout.Zero,
        ["sequence_parallel"] = m.Layout.SequenceParallel,
        ["total_bytes"] = m.TotalBytes,
    };

    private static void Write(TextWriter output, JsonObject root) => output.WriteLine(root.ToJsonString(Indented));

    /// <summary>The KV cache by kind of layer (global, sliding window W, chunked C, latent (MLA)), each group's share of kv_cache_bytes.</summary>
    private static JsonArray KvGroups(ModelCost cost, ServingPlan plan)
    {
        if (cost.Spec.Transformer is not { Kind: Core.Spec.TransformerKind.Decoder } t || plan.KvCacheBytes == 0) return [];
        var kv = KvCache.For(t, plan.Context);
        return new JsonArray([.. kv.Groups.Select(g => (JsonNode)new JsonObject
        {
            ["kind"] = g.Kind,
            ["layers"] = g.Layers,
            ["elements_per_token"] = g.ElementsPerToken,
            ["cached_tokens"] = g.CachedTokens,
            ["bytes"] = kv.ShareOf(g, plan.KvCacheBytes),
        })]);
    }
}
