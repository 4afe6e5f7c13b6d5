using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>
/// The memory of one eager-mode training step as ScaleLab runs it (TorchSharp on libtorch 2.x, gradients zeroed in
/// place, ScaleLab's optimizers): the entry point that builds the model's <see cref="AutogradTape"/> and walks it.
/// This is the figure `scalelab verify` measures; <see cref="MemoryEstimator.Training"/> stays the planning figure
/// for GPU training (Korthikanti et al.'s inventory, mixed precision, dropout masks).
/// </summary>
public static class StepMemory
{
    /// <summary>True when every layer of the model has an autograd rule (<see cref="TransformerTape.Supports"/>).</summary>
    public static bool Supports(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Transformer is not { } t || TransformerTape.Supports(t);
    }

    public static AutogradTape Tape(ModelCost cost, Precision precision = Precision.Fp32)
    {
        ArgumentNullException.ThrowIfNull(cost);
        return cost.Spec.Transformer is null ? LayerStackTape.Build(cost, precision) : TransformerTape.Build(cost, precision);
    }

    public static StepMemoryEstimate Estimate(ModelCost cost, long batch, OptimizerKind optimizer = OptimizerKind.Adam, Precision precision = Precision.Fp32) =>
        Estimate(cost, Tape(cost, precision), batch, optimizer, precision);

    public static StepMemoryEstimate Estimate(ModelCost cost, AutogradTape tape, long batch, OptimizerKind optimizer, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(tape);
        long weights = precision.BytesFor(cost.Parameters);
        long gradients = precision.BytesFor(cost.TrainableParameters);
        // Batch-norm buffers are fp32 (running mean and var) plus an int64 step counter per layer; counted at 4 bytes each.
        long buffers = precision.BytesFor(cost.Buffers);
        long state = MemoryEstimator.OptimizerStateBytes(cost.TrainableParameters, optimizer, precision);
        long modelState = checked(weights + gradients + buffers + state);
        return StepMemoryEstimator.Estimate(tape, batch, modelState, OptimizerTemporaryBytes(optimizer, tape.LargestParameterBytes));
    }

    /// <summary>
    /// Bytes per sample each layer keeps for backward: every saved tensor (and every tensor the loop holds) once, at
    /// the first node that saves it, summed by the node's layer path ("layers[3]", "blocks[0].attn.core"). The values
    /// add up to <see cref="StepMemoryEstimate.KeptBytes"/> at batch 1 (batch-independent tables such as RoPE's
    /// cos/sin are left out). "loss" holds the logits the loop keeps and log_softmax's output.
    /// </summary>
    public static IReadOnlyDictionary<string, long> KeptByLayer(AutogradTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var owner = new Dictionary<int, string>();
        foreach (var node in tape.Nodes)
            foreach (int s in node.Saved)
                owner.TryAdd(s, node.Layer);
        foreach (int h in tape.Held) owner.TryAdd(h, "loss");
        var inputs = tape.Inputs.ToHashSet();
        return owner.Where(o => !inputs.Contains(o.Key))
            .GroupBy(o => o.Value, o => tape.Tensors[o.Key].BytesPerSample)
            .ToDictionary(g => g.Key, g => g.Sum());
    }

    /// <summary>
    /// ScaleLab's optimizers update one tensor at a time inside its own dispose scope: Adam/AdamW and RMSprop make one
    /// temporary (the denominator √v + ε) the size of the tensor, SGD none; so the step's extra is the largest tensor's.
    /// </summary>
    public static long OptimizerTemporaryBytes(OptimizerKind optimizer, long largestParameterBytes) => optimizer switch
    {
        OptimizerKind.Sgd or OptimizerKind.SgdMomentum => 0,
        _ => largestParameterBytes,
    };
}
