using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ScaleLab.Core.Planning.Launch;

/// <summary>
/// torchrun + PyTorch FSDP for a plan's layout: fsdp_config.json holds the FullyShardedDataParallel arguments the
/// layout sets (sharding_strategy, cpu_offload, mixed_precision; names and enum values of
/// torch/distributed/fsdp/fully_sharded_data_parallel.py and api.py), torchrun.sh the launcher's flags
/// (torch/distributed/run.py) and the batch the training script should use. ZeRO maps onto FSDP as the FSDP paper
/// does (Zhao et al. 2023 §3.2): 0 → NO_SHARD (DDP), 2 → SHARD_GRAD_OP, 3 → FULL_SHARD; FSDP has no ZeRO-1.
/// </summary>
internal static class FsdpConfig
{
    public const string ConfigFileName = "fsdp_config.json", LauncherFileName = "torchrun.sh";

    /// <summary>GPUs per node torchrun.sh assumes unless $GPUS_PER_NODE says otherwise (an 8-GPU HGX node).</summary>
    public const int DefaultGpusPerNode = 8;

    public static IReadOnlyList<LaunchFile> Write(TrainingPlan plan, LaunchBatch batch)
    {
        var layout = plan.Memory.Layout;
        if (layout.TensorParallel > 1 || layout.PipelineParallel > 1 || layout.ContextParallel > 1 || layout.ExpertParallel > 1)
            throw new PlanningException($"--emit torchrun-fsdp: the plan uses {LaunchText.ModelParallel(layout)}; FSDP here is data parallel with sharding only: use --emit megatron");
        string strategy = layout.Zero switch
        {
            0 => "NO_SHARD",
            2 => "SHARD_GRAD_OP",
            3 => "FULL_SHARD",
            _ => throw new PlanningException("--emit torchrun-fsdp: FSDP has no ZeRO-1 (optimizer state alone sharded); plan with --zero 2 (SHARD_GRAD_OP) or --zero 3 (FULL_SHARD)"),
        };
        string? dtype = plan.Setup.Format switch
        {
            ComputeFormat.Bf16 => "bfloat16",
            ComputeFormat.Fp16 => "float16",
            ComputeFormat.Fp32 or ComputeFormat.Tf32 => null,
            var other => throw new PlanningException($"--emit torchrun-fsdp: --precision {other.Name()} has no FSDP MixedPrecision dtype: use --emit megatron, or plan with bf16"),
        };
        var config = new JsonObject
        {
            ["sharding_strategy"] = strategy,
            ["cpu_offload"] = new JsonObject { ["offload_params"] = false },
        };
        // fp32 and tf32 train in full precision: no MixedPrecision policy at all.
        if (dtype is not null)
            config["mixed_precision"] = new JsonObject { ["param_dtype"] = dtype, ["reduce_dtype"] = dtype, ["buffer_dtype"] = dtype };
        config["use_orig_params"] = true;
        return [new LaunchFile(ConfigFileName, LaunchText.Json(config)), new LaunchFile(LauncherFileName, Launcher(plan, batch))];
    }

    private static string Launcher(TrainingPlan plan, LaunchBatch batch)
    {
        int gpus = plan.Memory.Layout.Gpus;
        int perNode = Math.Min(gpus, DefaultGpusPerNode);
        var text = new StringBuilder();
        text.AppendLine("#!/usr/bin/env bash");
        text.AppendLine(LaunchText.Comment(plan, batch));
        text.AppendLine(CultureInfo.InvariantCulture, $"# {gpus} GPUs: $NNODES nodes × $GPUS_PER_NODE (default {perNode} per node). Run it on every node; TRAIN_SCRIPT reads fsdp_config.json.");
        text.AppendLine("set -euo pipefail");
        text.AppendLine(CultureInfo.InvariantCulture, $"GPUS_PER_NODE=${{GPUS_PER_NODE:-{perNode}}}");
        text.AppendLine(CultureInfo.InvariantCulture, $"NNODES=${{NNODES:-$(( {gpus} / GPUS_PER_NODE ))}}");
        text.AppendLine("exec torchrun \\");
        text.AppendLine("  --nnodes=\"$NNODES\" \\");
        text.AppendLine("  --nproc-per-node=\"$GPUS_PER_NODE\" \\");
        text.AppendLine("  --rdzv-backend=c10d \\");
        text.AppendLine("  --rdzv-endpoint=\"${MASTER_ADDR:-localhost}:${MASTER_PORT:-29500}\" \\");
        text.AppendLine("  --rdzv-id=\"${RDZV_ID:-scalelab}\" \\");
        text.AppendLine("  \"${TRAIN_SCRIPT:-train.py}\" \\");
        text.AppendLine(CultureInfo.InvariantCulture, $"  --fsdp-config \"$(dirname \"$0\")/{ConfigFileName}\" \\");
        text.AppendLine(CultureInfo.InvariantCulture, $"  --micro-batch-size {batch.MicroBatch} \\");
        text.AppendLine(CultureInfo.InvariantCulture, $"  --gradient-accumulation-steps {batch.Accumulation} \\");
        text.AppendLine(CultureInfo.InvariantCulture, $"  --seq-length {plan.Setup.SequenceLength} \\");
        text.AppendLine("  \"$@\"");
        return text.ToString();
    }
}
