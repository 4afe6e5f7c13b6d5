namespace ScaleLab.Core.Planning;

/// <summary>Weights, gradients, master weights and optimizer moments held by one GPU, in bytes.</summary>
public sealed record ModelStateBytes(long Weights, long Gradients, long MasterWeights, long OptimizerState)
{
    public long Total => checked(Weights + Gradients + MasterWeights + OptimizerState);
}

/// <summary>
/// ZeRO's per-GPU model-state memory (Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion
/// Parameter Models", §5 and Figure 1). With Ψ parameters on each model-parallel rank, N_d data-parallel GPUs and K
/// optimizer-state bytes per parameter (K = 12 for mixed-precision Adam):
///   stage 0 (plain data parallel): (2 + 2 + K)·Ψ
///   stage 1 (P_os, optimizer states sharded):  2Ψ + 2Ψ + K·Ψ/N_d
///   stage 2 (P_os+g, gradients too):           2Ψ + (2 + K)·Ψ/N_d
///   stage 3 (P_os+g+p, parameters too):        (2 + 2 + K)·Ψ/N_d
/// Figure 1's example, Ψ = 7.5 B, N_d = 64, K = 12: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB.
/// A sharded tensor's bytes are divided with rounding up: no GPU holds a fraction of a byte.
/// </summary>
public static class ModelStateMemory
{
    public static ModelStateBytes PerGpu(long parameters, TrainingState state, int zeroStage, int dataParallel)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(dataParallel, 1);
        if (zeroStage is < 0 or > 3) throw new PlanningException($"--zero must be 0, 1, 2 or 3, got {zeroStage}");

        long weights = checked(parameters * state.WeightBytes);
        long gradients = checked(parameters * state.GradientBytes);
        long master = checked(parameters * state.MasterWeightBytes);
        long optimizer = checked(parameters * state.OptimizerBytes);
        long Shard(long bytes, int fromStage) => zeroStage >= fromStage ? CeilDiv(bytes, dataParallel) : bytes;
        return new ModelStateBytes(
            Weights: Shard(weights, 3),
            Gradients: Shard(gradients, 2),
            MasterWeights: Shard(master, 1),
            OptimizerState: Shard(optimizer, 1));
    }

    internal static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;
}
