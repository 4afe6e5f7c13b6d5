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

/// <summary>
/// How a training job spreads over GPUs: <see cref="Gpus"/> = data-parallel × tensor-parallel × pipeline-parallel
/// (Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", §2),
/// with ZeRO stage <see cref="Zero"/> over the data-parallel group (Rajbhandari et al. 2020).
/// </summary>
public sealed record ParallelLayout(int Gpus, int Zero = 0, int TensorParallel = 1, int PipelineParallel = 1, bool SequenceParallel = false)
{
    public int DataParallel => Gpus / (TensorParallel * PipelineParallel);

    public static ParallelLayout Single { get; } = new(1);

    /// <summary>Throws a message naming the option when the layout cannot exist.</summary>
    public ParallelLayout Validated()
    {
        if (Gpus < 1) throw new PlanningException($"--gpus must be at least 1, got {Text(Gpus)}");
        if (Zero is < 0 or > 3) throw new PlanningException($"--zero must be 0, 1, 2 or 3, got {Text(Zero)}");
        if (TensorParallel < 1) throw new PlanningException($"--tp must be at least 1, got {Text(TensorParallel)}");
        if (PipelineParallel < 1) throw new PlanningException($"--pp must be at least 1, got {Text(PipelineParallel)}");
        long modelParallel = (long)TensorParallel * PipelineParallel;
        if (Gpus % modelParallel != 0)
            throw new PlanningException($"--gpus {Text(Gpus)} is not a multiple of --tp × --pp = {Text(modelParallel)}; the data-parallel degree must be a whole number");
        if (SequenceParallel && TensorParallel == 1)
            throw new PlanningException("--sequence-parallel needs --tp of 2 or more: it splits along the tensor-parallel group");
        return this;
    }

    public override string ToString() =>
        $"{Text(Gpus)} GPU{(Gpus == 1 ? "" : "s")} (dp {Text(DataParallel)}, tp {Text(TensorParallel)}, pp {Text(PipelineParallel)}, ZeRO-{Text(Zero)}{(SequenceParallel ? ", sequence parallel" : "")})";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
