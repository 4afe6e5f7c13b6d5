using ScaleLab.Core.Accounting;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Bytes of model state per trained parameter, and bytes per stored activation element.
/// Mixed-precision Adam (Micikevicius et al. 2018; Rajbhandari et al. 2020, §3.1): 2 (fp16/bf16 weights) + 2 (gradients)
/// + K = 12 (fp32 master weights 4, momentum 4, variance 4) = 16 bytes. Full fp32 Adam: 4 + 4 + 8 (no master copy).
/// ZeRO's "optimizer states" are the K bytes: master weights and moments together.
/// </summary>
public sealed record TrainingState(int WeightBytes, int GradientBytes, int MasterWeightBytes, int OptimizerBytes, int ActivationBytes)
{
    /// <summary>ZeRO's K: the optimizer-state bytes per parameter, master copy included.</summary>
    public int ZeroK => MasterWeightBytes + OptimizerBytes;

    public int ModelStateBytes => WeightBytes + GradientBytes + ZeroK;

    public static TrainingState MixedPrecisionAdam { get; } = For(ComputeFormat.Bf16);

    public static TrainingState Fp32Adam { get; } = For(ComputeFormat.Fp32);

    /// <summary>
    /// The state kept when the matrices multiply in <paramref name="format"/>: fp32 and tf32 keep fp32 everything;
    /// fp16, bf16 and fp8 keep 16-bit weights with an fp32 master copy (fp8 training, as NVIDIA Transformer Engine does
    /// it, casts to fp8 only inside the matmuls, so its state is bf16's: a conservative figure).
    /// The optimizer's state per parameter is the estimator's (<see cref="MemoryEstimator.OptimizerStateBytes"/>), kept
    /// in fp32: Adam 8 bytes, SGD with momentum 4, SGD 0, 8-bit Adam 2.
    /// </summary>
    public static TrainingState For(ComputeFormat format, OptimizerKind optimizer = OptimizerKind.Adam)
    {
        int state = (int)MemoryEstimator.OptimizerStateBytes(1, optimizer, Precision.Fp32);
        return format switch
        {
            ComputeFormat.Fp32 or ComputeFormat.Tf32 => new TrainingState(4, 4, 0, state, 4),
            ComputeFormat.Fp16 or ComputeFormat.Bf16 or ComputeFormat.Fp8 => new TrainingState(2, 2, 4, state, 2),
            _ => throw new PlanningException($"--precision {format.Name()} is an inference format; train in fp32, tf32, bf16, fp16 or fp8"),
        };
    }
}
