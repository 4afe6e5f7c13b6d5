using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Planning;

/// <summary>One GPU's LoRA or QLoRA fine-tuning memory, by category, in bytes.</summary>
/// <param name="BaseParameters">The frozen pretrained model's parameters.</param>
/// <param name="TrainableParameters">The adapters' parameters: all that trains.</param>
/// <param name="FrozenWeights">The base in its precision: 16-bit for LoRA, NF4 for QLoRA's block matrices.</param>
/// <param name="AdapterWeights">Adapters in fp32 (PEFT's autocast_adapter_dtype keeps them fp32 under a 16-bit base), or bf16 with --lora-dtype bf16.</param>
/// <param name="BaseActivations">What the frozen layers keep for the backward pass (the training inventory).</param>
/// <param name="AdapterActivations">What the adapters add: the r-wide A·x per targeted matrix, and its input dropout's mask and output.</param>
public sealed record FineTuneMemory(
    FineTuneSetup Setup,
    long BaseParameters,
    long TrainableParameters,
    long FrozenWeights,
    long AdapterWeights,
    long AdapterGradients,
    long OptimizerState,
    long BaseActivations,
    long AdapterActivations)
{
    public long TotalParameters => checked(BaseParameters + TrainableParameters);

    public long Activations => checked(BaseActivations + AdapterActivations);
}

/// <summary>
/// LoRA (Hu et al. 2021) and QLoRA (Dettmers et al. 2023) memory on data-parallel GPUs with ZeRO:
///   frozen base: LoRA keeps it in the training format (2 bytes per parameter in bf16); QLoRA stores every block matrix
///   in NF4 (<see cref="Nf4Storage"/>: 4.127 bits) and the rest (embeddings, norms, biases, the LM head, which
///   transformers' bitsandbytes integration leaves unquantized) in bf16, its compute dtype;
///   adapters: fp32 weights (4 B) and gradients (4 B) — bf16 (2 + 2) with --lora-dtype bf16 — optimizer state as the estimator counts it in fp32 (Adam 8 B,
///   8-bit Adam 2 B; QLoRA's paged optimizers have the same size and only move to CPU memory under pressure);
///   no gradients, master copy or optimizer state for the frozen base;
///   ZeRO shards the adapters' optimizer state from stage 1, their gradients from stage 2, and every weight, the frozen
///   base included, at stage 3;
///   activations: the training inventory of <see cref="TransformerActivations"/> (the backward pass still runs through
///   every frozen layer to reach earlier adapters), plus per targeted matrix and token the r-wide A·x in 16 bits and,
///   with lora_dropout &gt; 0, the dropped input copy (16 bits) and its 1-byte mask; experts: × top-k. Conservative: a
///   frozen linear needs its input only for a weight gradient it no longer computes; the inventory keeps it anyway.
/// Tensor and pipeline parallelism are not modelled for adapters.
/// </summary>
public static class FineTuneMemoryPlanner
{
    public static TrainingMemoryPlan Plan(ModelCost cost, HardwareProfile hardware, ParallelLayout layout, TrainingSetup setup)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(setup);
        var fineTune = setup.FineTune ?? throw new ArgumentException("the setup has no fine-tuning", nameof(setup));
        var m = cost.Spec.Transformer
            ?? throw new PlanningException($"--finetune {fineTune.Method.Name()} is modelled for transformer specs only; a layer stack has no attention or FFN matrices to adapt");
        if (layout.TensorParallel > 1 || layout.PipelineParallel > 1 || layout.ContextParallel > 1 || layout.ExpertParallel > 1)
            throw new PlanningException($"--finetune {fineTune.Method.Name()} plans data parallelism with ZeRO; --tp, --pp, --cp and --ep are not modelled for adapters");
        var state = setup.State;
        var adapters = LoraAdapters.Count(m, fineTune.Lora);
        long trainable = adapters.Parameters;
        long frozen = FrozenBytes(cost, m, fineTune.Method, state.WeightBytes);
        int optimizerBytes = (int)MemoryEstimator.OptimizerStateBytes(1, setup.Optimizer, Precision.Fp32);

        int zero = layout.Zero, dp = layout.DataParallel;
        long Shard(long bytes, int fromStage) => zero >= fromStage ? ModelStateMemory.CeilDiv(bytes, dp) : bytes;
        long frozenPerGpu = Shard(frozen, 3);
        int adapterBytes = fineTune.Lora.AdapterBytes;   // gradients take the weights' format
        long adapterWeights = Shard(checked(trainable * adapterBytes), 3);
        long adapterGradients = Shard(checked(trainable * adapterBytes), 2);
        long optimizer = Shard(checked(trainable * optimizerBytes), 1);

        var dropout = TrainingDropout.For(m, setup.Dropout);
        var detail = TransformerActivations.Compute(m, setup.SequenceLength, setup.MicroBatch, layout, setup.Recompute, state.ActivationBytes,
            dropout.Hidden, setup.Attention, dropout.Attention, setup.CapacityFactor);
        long adapterActivations = setup.Recompute == ActivationRecompute.Full
            ? 0   // recomputed with the rest of the layer
            : AdapterActivationBytes(adapters, fineTune.Lora, checked(setup.SequenceLength * setup.MicroBatch), state.ActivationBytes);

        var memory = new FineTuneMemory(fineTune, cost.Parameters, trainable, frozenPerGpu, adapterWeights, adapterGradients, optimizer,
            detail.Total, adapterActivations);
        var modelState = new ModelStateBytes(checked(frozenPerGpu + adapterWeights), adapterGradients, 0, optimizer);
        return new TrainingMemoryPlan(layout, cost.Parameters, modelState, detail, memory.Activations, checked(cost.Buffers * 4),
            hardware.MemoryBytes, memory);
    }

    /// <summary>The frozen base: 16-bit (or fp32) for LoRA; NF4 block matrices and bf16 for everything else for QLoRA.</summary>
    public static long FrozenBytes(ModelCost cost, TransformerSpec m, FineTuneMethod method, int weightBytes)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(m);
        if (method != FineTuneMethod.Qlora) return checked(cost.Parameters * weightBytes);
        long quantizedElements = 0, quantizedBytes = 0;
        foreach (var matrix in BlockMatrices.Of(m))
        {
            long tensors = checked((long)matrix.Copies * matrix.Layers);
            quantizedElements = checked(quantizedElements + (matrix.Elements * tensors));
            quantizedBytes = checked(quantizedBytes + (Nf4Storage.Bytes(matrix.Elements) * tensors));
        }
        return checked(quantizedBytes + ((cost.Parameters - quantizedElements) * 2));
    }

    /// <summary>Per token and targeted matrix: A·x (r values at activation precision), and with lora_dropout the dropped input and its mask.</summary>
    private static long AdapterActivationBytes(LoraAdapterCount adapters, LoraConfig lora, long tokens, int e)
    {
        long perToken = 0;
        foreach (var row in adapters.Rows)
        {
            long one = checked((e * (long)lora.Rank) + (lora.Dropout > 0 ? (e + 1) * row.Matrix.In : 0));
            perToken = checked(perToken + (one * row.Matrix.ActiveCopies * row.Layers));
        }
        return checked(perToken * tokens);
    }
}
