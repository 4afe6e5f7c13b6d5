namespace ScaleLab.Core.Planning.Launch;

/// <summary>The training engines `plan --emit` writes launch configuration for: ScaleLab plans, they train.</summary>
public enum LaunchEngine { DeepSpeed, TorchrunFsdp, Megatron }

public static class LaunchEngineInfo
{
    public static readonly string[] Names = ["deepspeed", "torchrun-fsdp", "megatron"];

    public static LaunchEngine Parse(string text) => text switch
    {
        "deepspeed" => LaunchEngine.DeepSpeed,
        "torchrun-fsdp" => LaunchEngine.TorchrunFsdp,
        "megatron" => LaunchEngine.Megatron,
        _ => throw new PlanningException($"--emit '{text}': not an engine; use {string.Join(", ", Names)}"),
    };

    public static string Name(this LaunchEngine engine) => Names[(int)engine];
}

/// <summary>One file of a launch configuration: its name in the output folder and its text.</summary>
public sealed record LaunchFile(string Name, string Text);

/// <summary>
/// The batch of one optimizer step as the engines count it: sequences per GPU per micro-batch, data-parallel
/// ranks, micro-batches accumulated, and their product, the global batch (sequences per step).
/// </summary>
public sealed record LaunchBatch(long MicroBatch, int DataParallel, long Accumulation)
{
    public long GlobalBatch => checked(MicroBatch * DataParallel * Accumulation);

    /// <summary>
    /// The batch for <paramref name="globalBatch"/> sequences per step (default: one micro-batch per rank, no
    /// accumulation); it must be a whole number of micro-batches on every data-parallel rank.
    /// </summary>
    public static LaunchBatch For(TrainingPlan plan, long? globalBatch)
    {
        ArgumentNullException.ThrowIfNull(plan);
        long micro = plan.Setup.MicroBatch;
        int dp = plan.Memory.Layout.DataParallel;
        long perStep = checked(micro * dp);
        long global = globalBatch ?? perStep;
        if (global < 1 || global % perStep != 0)
            throw new PlanningException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"--global-batch {global} is not a multiple of --micro-batch {micro} × data-parallel {dp} = {perStep}; the engines accumulate whole micro-batches"));
        return new LaunchBatch(micro, dp, global / perStep);
    }
}
