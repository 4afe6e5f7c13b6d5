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
    public static TrainingState For(ComputeFormat format, OptimizerKind optimizer = OptimizerKind.Adam, Fp8Recipe fp8 = Fp8Recipe.TransformerEngine)
    {
        if (fp8 != Fp8Recipe.TransformerEngine) return Fp8State(format, optimizer, fp8);
        int state = (int)MemoryEstimator.OptimizerStateBytes(1, optimizer, Precision.Fp32);
        return format switch
        {
            ComputeFormat.Fp32 or ComputeFormat.Tf32 => new TrainingState(4, 4, 0, state, 4),
            ComputeFormat.Fp16 or ComputeFormat.Bf16 or ComputeFormat.Fp8 => new TrainingState(2, 2, 4, state, 2),
            _ => throw new PlanningException($"--precision {format.Name()} is an inference format; train in fp32, tf32, bf16, fp16 or fp8"),
        };
    }

    /// <summary>MS-AMP's levels (see <see cref="Fp8Recipe"/>): they define Adam's moments, so only Adam and AdamW go with them.</summary>
    private static TrainingState Fp8State(ComputeFormat format, OptimizerKind optimizer, Fp8Recipe fp8)
    {
        if (format != ComputeFormat.Fp8)
            throw new PlanningException($"--fp8-recipe {fp8.Name()} needs --precision fp8, got {format.Name()}");
        if (optimizer is not (OptimizerKind.Adam or OptimizerKind.AdamW))
            throw new PlanningException($"--fp8-recipe {fp8.Name()} keeps Adam's moments in its own formats; use --optimizer adam or adamw, got {optimizer.Name()}");
        return fp8 switch
        {
            Fp8Recipe.MsAmpO1 => new TrainingState(2, 1, 0, 8, 2),
            Fp8Recipe.MsAmpO2 => new TrainingState(2, 1, 0, 3, 2),
            _ => new TrainingState(1, 1, 2, 3, 2),
        };
    }
}
