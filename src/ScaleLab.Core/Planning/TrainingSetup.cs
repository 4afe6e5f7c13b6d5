using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;

namespace ScaleLab.Core.Planning;

/// <summary>
/// What one training step looks like on one GPU: the micro-batch (sequences, or samples for a layer stack), the
/// sequence length, the format the matrices multiply in, and how activations are kept.
/// </summary>
/// <param name="Dropout">Whether dropout masks are kept; null follows the model (<see cref="TrainingDropout"/>).</param>
/// <param name="Attention">Fused (FlashAttention) or eager attention; fused keeps no s × s tensors.</param>
/// <param name="FineTune">LoRA or QLoRA adapters on a frozen base; null (or Full) trains every parameter.</param>
/// <param name="CapacityFactor">Mixture of experts: each expert's buffer holds C·k·tokens/E rows; 1 is dropless routing.</param>
/// <param name="Fp8">With fp8: how the model state is kept (<see cref="Fp8Recipe"/>).</param>
public sealed record TrainingSetup(
    long MicroBatch,
    long SequenceLength,
    ComputeFormat Format = ComputeFormat.Bf16,
    ActivationRecompute Recompute = ActivationRecompute.None,
    bool? Dropout = null,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    AttentionKernel Attention = AttentionKernel.Flash,
    FineTuneSetup? FineTune = null,
    double CapacityFactor = 1,
    Fp8Recipe Fp8 = Fp8Recipe.TransformerEngine)
{
    public TrainingState State => TrainingState.For(Format, Optimizer, Fp8);

    public TrainingSetup Validated()
    {
        if (MicroBatch < 1) throw new PlanningException($"--micro-batch must be at least 1, got {MicroBatch}");
        if (SequenceLength < 1) throw new PlanningException($"--seq must be at least 1, got {SequenceLength}");
        _ = State;   // throws for formats nobody trains in
        FineTune?.Lora.Validated();
        return this;
    }
}
