using System.Text.Json.Nodes;

namespace ScaleLab.Core.Planning.Launch;

/// <summary>
/// DeepSpeed's ds_config.json for a plan's layout: the batch (train_batch_size = micro × data-parallel ×
/// accumulation, which DeepSpeed checks), the ZeRO stage, the precision, and offload explicitly off because the
/// plan's per-GPU memory keeps all model state on the GPU. Keys from DeepSpeed's runtime/constants.py and
/// runtime/zero/config.py, offload_config.py (deepspeedai/DeepSpeed; docs: deepspeed.ai/docs/config-json).
/// </summary>
internal static class DeepSpeedConfig
{
    public const string FileName = "ds_config.json";

    public static LaunchFile Write(TrainingPlan plan, LaunchBatch batch)
    {
        var layout = plan.Memory.Layout;
        if (layout.TensorParallel > 1 || layout.PipelineParallel > 1 || layout.ContextParallel > 1 || layout.ExpertParallel > 1)
            throw new PlanningException($"--emit deepspeed: the plan uses {LaunchText.ModelParallel(layout)}; ds_config.json describes data parallelism with ZeRO only (pipeline and tensor parallelism are set in the model code): use --emit megatron");
        var format = plan.Setup.Format;
        if (format is not (ComputeFormat.Bf16 or ComputeFormat.Fp16 or ComputeFormat.Fp32 or ComputeFormat.Tf32))
            throw new PlanningException($"--emit deepspeed: --precision {format.Name()} has no DeepSpeed config switch (fp8 training runs through Transformer Engine): use --emit megatron, or plan with bf16");
        var zero = new JsonObject
        {
            ["stage"] = layout.Zero,
            ["offload_optimizer"] = new JsonObject { ["device"] = "none" },
        };
        // Parameter offload exists only at stage 3 (DeepSpeedZeroOffloadParamConfig: "Valid only with stage 3").
        if (layout.Zero == 3) zero["offload_param"] = new JsonObject { ["device"] = "none" };
        var root = new JsonObject
        {
            ["train_batch_size"] = batch.GlobalBatch,
            ["train_micro_batch_size_per_gpu"] = batch.MicroBatch,
            ["gradient_accumulation_steps"] = batch.Accumulation,
            ["bf16"] = new JsonObject { ["enabled"] = format == ComputeFormat.Bf16 },
            ["fp16"] = new JsonObject { ["enabled"] = format == ComputeFormat.Fp16 },
            ["zero_optimization"] = zero,
        };
        return new LaunchFile(FileName, LaunchText.Json(root));
    }
}
