using System.Globalization;
using System.Text;

namespace ScaleLab.Core.Planning.Launch;

/// <summary>
/// Megatron-LM's command-line arguments for a plan's layout and model, as a bash array to splice into
/// `torchrun … pretrain_gpt.py "${MEGATRON_ARGS[@]}" …` (data, tokenizer and schedule stay the user's). Flag names
/// and choices are Megatron-LM's megatron/training/arguments.py (NVIDIA/Megatron-LM, core_r0.11.0). ZeRO-1 is
/// Megatron's distributed optimizer (optimizer state and master weights sharded over data-parallel ranks); it has
/// no ZeRO-2/3.
/// </summary>
internal static class MegatronArgs
{
    public const string FileName = "megatron-args.sh";

    public static LaunchFile Write(TrainingPlan plan, LaunchBatch batch)
    {
        var layout = plan.Memory.Layout;
        var model = plan.Cost.Spec.Transformer
            ?? throw new PlanningException($"--emit megatron: {plan.Cost.Spec.Name} is a layer stack; Megatron-LM trains transformers: use --emit deepspeed or torchrun-fsdp");
        if (layout.Zero > 1)
            throw new PlanningException($"--emit megatron: Megatron-LM has no ZeRO-{layout.Zero}; its distributed optimizer is ZeRO-1: plan with --zero 1, or use --emit deepspeed");
        var args = new List<string>
        {
            F($"--tensor-model-parallel-size {layout.TensorParallel}"),
            F($"--pipeline-model-parallel-size {layout.PipelineParallel}"),
            F($"--context-parallel-size {layout.ContextParallel}"),
        };
        if (layout.ExpertParallel > 1) args.Add(F($"--expert-model-parallel-size {layout.ExpertParallel}"));
        if (layout.SequenceParallel) args.Add("--sequence-parallel");
        args.Add(F($"--micro-batch-size {batch.MicroBatch}"));
        args.Add(F($"--global-batch-size {batch.GlobalBatch}"));
        args.Add(F($"--seq-length {plan.Setup.SequenceLength}"));
        args.AddRange(Precision(plan.Setup));
        if (layout.Zero == 1) args.Add("--use-distributed-optimizer");
        args.AddRange(plan.Setup.Recompute switch
        {
            ActivationRecompute.Full => ["--recompute-granularity full", "--recompute-method uniform", "--recompute-num-layers 1"],
            ActivationRecompute.Selective => ["--recompute-granularity selective"],
            _ => [],
        });
        args.Add(F($"--num-layers {model.Layers}"));
        args.Add(F($"--hidden-size {model.DModel}"));
        args.Add(F($"--num-attention-heads {model.Heads}"));
        args.Add(F($"--ffn-hidden-size {model.FfnSize}"));
        args.Add(F($"--max-position-embeddings {model.MaxPositions}"));
        if (model.KvHeads is int kv && kv < model.Heads) args.AddRange(["--group-query-attention", F($"--num-query-groups {kv}")]);
        if (model.IsMixtureOfExperts) args.AddRange([F($"--num-experts {model.Experts}"), F($"--moe-router-topk {model.TopK}")]);

        var text = new StringBuilder();
        text.AppendLine("# Source this file, then: torchrun … pretrain_gpt.py \"${MEGATRON_ARGS[@]}\" (data, tokenizer, optimizer schedule: yours).");
        text.AppendLine(LaunchText.Comment(plan, batch));
        text.AppendLine("MEGATRON_ARGS=(");
        foreach (string a in args) text.AppendLine("  " + a);
        text.AppendLine(")");
        return new LaunchFile(FileName, text.ToString());
    }

    /// <summary>bf16/fp16 switch; fp8 with Transformer Engine's recipe is --fp8-format hybrid (E4M3 forward, E5M2 gradients) on bf16.</summary>
    private static string[] Precision(TrainingSetup setup) => setup.Format switch
    {
        ComputeFormat.Bf16 => ["--bf16"],
        ComputeFormat.Fp16 => ["--fp16"],
        ComputeFormat.Fp32 or ComputeFormat.Tf32 => [],
        ComputeFormat.Fp8 when setup.Fp8 == Fp8Recipe.TransformerEngine => ["--bf16", "--fp8-format hybrid"],
        var other => throw new PlanningException($"--emit megatron: --precision {other.Name()}{(other == ComputeFormat.Fp8 ? " with an MS-AMP recipe" : "")} has no Megatron-LM switch; plan with bf16, or fp8 --fp8-recipe te"),
    };

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
