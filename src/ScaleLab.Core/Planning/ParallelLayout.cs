using System.Globalization;

namespace ScaleLab.Core.Planning;

/// <summary>How the activations are kept for the backward pass (Korthikanti et al. 2022, §4–5).</summary>
public enum ActivationRecompute
{
    /// <summary>Keep everything the backward pass reads.</summary>
    None,

    /// <summary>Recompute only the attention core (softmax, its dropout, the s×s scores): Korthikanti's "selective".</summary>
    Selective,

    /// <summary>Keep only each transformer layer's input and recompute the layer in the backward pass ("full", checkpointing).</summary>
    Full,
}

public static class ActivationRecomputeInfo
{
    /// <summary>The name on the command line (--recompute) and in `plan --json` (setup.recompute): none, selective, full.</summary>
    public static string Name(this ActivationRecompute recompute) => recompute switch
    {
        ActivationRecompute.None => "none",
        ActivationRecompute.Selective => "selective",
        ActivationRecompute.Full => "full",
        _ => throw new ArgumentOutOfRangeException(nameof(recompute), recompute, null),
    };
}

/// <summary>
/// How a training job spreads over GPUs: <see cref="Gpus"/> = data-parallel × context-parallel × tensor-parallel ×
/// pipeline-parallel (Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU Clusters Using
/// Megatron-LM", §2), with ZeRO stage <see cref="Zero"/> over the data- and context-parallel ranks, which hold the same
/// weights (Rajbhandari et al. 2020; Megatron-Core's distributed optimizer shards over dp × cp).
/// Context parallelism (<see cref="ContextParallel"/>) splits every sequence's tokens over cp ranks in every layer,
/// attention exchanging K and V in a ring (Liu et al. 2023, "Ring Attention"; Megatron-Core context parallel).
/// Expert parallelism (<see cref="ExpertParallel"/>) places E/ep of each layer's experts on each rank of an ep group
/// carved out of the data-parallel ranks (Lepikhin et al. 2021, GShard; Megatron-Core MoE): expert weights are split ep
/// ways, and their state is sharded by ZeRO over the dp × cp / ep ranks that hold the same experts.
/// </summary>
public sealed record ParallelLayout(int Gpus, int Zero = 0, int TensorParallel = 1, int PipelineParallel = 1, bool SequenceParallel = false,
    int ExpertParallel = 1, int ContextParallel = 1)
{
    /// <summary>Ranks with the same weights and different data: gpus / (tp × pp × cp).</summary>
    public int DataParallel => Gpus / (TensorParallel * PipelineParallel * ContextParallel);

    /// <summary>Ranks ZeRO shards non-expert state over: dp × cp (they all hold the same weights).</summary>
    public int ShardingRanks => DataParallel * ContextParallel;

    public static ParallelLayout Single { get; } = new(1);

    /// <summary>Throws a message naming the option when the layout cannot exist.</summary>
    public ParallelLayout Validated()
    {
        if (Gpus < 1) throw new PlanningException($"--gpus must be at least 1, got {Text(Gpus)}");
        if (Zero is < 0 or > 3) throw new PlanningException($"--zero must be 0, 1, 2 or 3, got {Text(Zero)}");
        if (TensorParallel < 1) throw new PlanningException($"--tp must be at least 1, got {Text(TensorParallel)}");
        if (PipelineParallel < 1) throw new PlanningException($"--pp must be at least 1, got {Text(PipelineParallel)}");
        if (ContextParallel < 1) throw new PlanningException($"--cp must be at least 1, got {Text(ContextParallel)}");
        if (ExpertParallel < 1) throw new PlanningException($"--ep must be at least 1, got {Text(ExpertParallel)}");
        long modelParallel = (long)TensorParallel * PipelineParallel * ContextParallel;
        if (Gpus % modelParallel != 0)
            throw new PlanningException(ContextParallel == 1
                ? $"--gpus {Text(Gpus)} is not a multiple of --tp × --pp = {Text(modelParallel)}; the data-parallel degree must be a whole number"
                : $"--gpus {Text(Gpus)} is not a multiple of --tp × --pp × --cp = {Text(modelParallel)}; the data-parallel degree must be a whole number");
        if (ShardingRanks % ExpertParallel != 0)
            throw new PlanningException($"--ep {Text(ExpertParallel)} does not divide the {Text(ShardingRanks)} data- and context-parallel ranks it is carved from (--gpus / (--tp × --pp))");
        if (SequenceParallel && TensorParallel == 1)
            throw new PlanningException("--sequence-parallel needs --tp of 2 or more: it splits along the tensor-parallel group");
        return this;
    }

    public override string ToString() =>
        $"{Text(Gpus)} GPU{(Gpus == 1 ? "" : "s")} (dp {Text(DataParallel)}, tp {Text(TensorParallel)}, pp {Text(PipelineParallel)}"
        + (ContextParallel > 1 ? $", cp {Text(ContextParallel)}" : "") + (ExpertParallel > 1 ? $", ep {Text(ExpertParallel)}" : "")
        + $", ZeRO-{Text(Zero)}{(SequenceParallel ? ", sequence parallel" : "")})";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
