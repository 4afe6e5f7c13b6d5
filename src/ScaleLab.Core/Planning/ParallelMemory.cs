using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Planning;

/// <summary>One GPU's training memory under a layout, and whether it fits the device.</summary>
/// <param name="ParametersPerGpu">Parameters on the busiest model-parallel rank (before ZeRO sharding).</param>
/// <param name="Buffers">Non-trainable state (batch-norm statistics), fp32, not sharded.</param>
/// <param name="FineTune">LoRA/QLoRA: the same bytes by fine-tuning category (ModelState then holds frozen base + adapters as weights).</param>
public sealed record TrainingMemoryPlan(
    ParallelLayout Layout,
    long ParametersPerGpu,
    ModelStateBytes ModelState,
    ActivationBytes? ActivationDetail,
    long Activations,
    long Buffers,
    long CapacityBytes,
    FineTuneMemory? FineTune = null)
{
    public long TotalBytes => checked(ModelState.Total + Activations + Buffers);

    public bool Fits => TotalBytes <= CapacityBytes;
}

/// <summary>
/// Per-GPU training memory: ZeRO-sharded model state (<see cref="ModelStateMemory"/>) for the parameters of one
/// tensor- and pipeline-parallel rank, plus activations (<see cref="TransformerActivations"/>) and buffers.
/// Not modelled: the CUDA context, allocator fragmentation, communication buckets and ZeRO-3's gathered-layer working
/// set (ZeRO §3.2 calls these residual states); the datasheet-GB capacity leaves a little room for them.
/// </summary>
public static class ParallelMemory
{
    public static TrainingMemoryPlan Plan(ModelCost cost, HardwareProfile hardware, ParallelLayout layout, TrainingSetup setup)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(setup);
        layout.Validated();
        var state = setup.Validated().State;
        if (setup.FineTune is { } fineTune && fineTune.Method.UsesAdapters()) return FineTuneMemoryPlanner.Plan(cost, hardware, layout, setup);
        var transformer = cost.Spec.Transformer;
        if (transformer is null) RequireLayerStackLayout(layout, setup);
        else RequireTensorParallelFits(transformer, layout);

        long parameters = ParametersPerRank(cost, layout);
        var modelState = ModelStateMemory.PerGpu(parameters, state, layout.Zero, layout.DataParallel);
        var dropout = TrainingDropout.For(transformer, setup.Dropout);
        ActivationBytes? detail = transformer is null
            ? null
            : TransformerActivations.Compute(transformer, setup.SequenceLength, setup.MicroBatch, layout, setup.Recompute, state.ActivationBytes,
                dropout.Hidden, setup.Attention, dropout.Attention);
        long activations = detail?.Total ?? checked(cost.ActivationElements * setup.MicroBatch * state.ActivationBytes);
        long buffers = checked(cost.Buffers * 4);
        return new TrainingMemoryPlan(layout, parameters, modelState, detail, activations, buffers, hardware.MemoryBytes);
    }

    /// <summary>
    /// Parameters on the busiest tensor/pipeline rank. Pipeline stages get ⌈L/pp⌉ layers each; the first stage also holds
    /// the embeddings and the last the LM head (a copy of the embedding matrix when tied, as Megatron-LM keeps it;
    /// Narayanan et al. 2021). Tensor parallelism divides a stage's parameters t ways (norm weights, which are replicated,
    /// are too small to matter).
    /// </summary>
    public static long ParametersPerRank(ModelCost cost, ParallelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(layout);
        long total = cost.Parameters;
        var m = cost.Spec.Transformer;
        long stage = total;
        if (m is not null && layout.PipelineParallel > 1)
        {
            long embedding = checked((m.VocabSize + (m.Positions == PositionKind.Learned ? m.MaxPositions : 0) + m.TypeVocabSize) * m.DModel);
            long head = m.LmHead ? checked(m.VocabSize * m.DModel) : 0;
            long blocks = total - embedding - (m.TiedEmbeddings ? 0 : head);
            long perLayer = ModelStateMemory.CeilDiv(Math.Max(0, blocks), m.Layers);
            long layersPerStage = (m.Layers + layout.PipelineParallel - 1) / layout.PipelineParallel;
            stage = checked((layersPerStage * perLayer) + Math.Max(embedding, head));
        }
        return ModelStateMemory.CeilDiv(stage, layout.TensorParallel);
    }

    private static void RequireLayerStackLayout(ParallelLayout layout, TrainingSetup setup)
    {
        if (layout.TensorParallel > 1 || layout.PipelineParallel > 1)
            throw new PlanningException("--tp and --pp are modelled for transformer specs only; a layer stack plans with data parallelism and ZeRO");
        if (setup.Recompute != ActivationRecompute.None)
            throw new PlanningException("activation checkpointing is modelled for transformer specs only (it keeps each transformer layer's input)");
    }

    private static void RequireTensorParallelFits(TransformerSpec m, ParallelLayout layout)
    {
        if (m.Heads % layout.TensorParallel != 0)
            throw new PlanningException($"--tp {layout.TensorParallel} does not divide the {m.Heads} attention heads; tensor parallelism splits whole heads");
        if (layout.PipelineParallel > m.Layers)
            throw new PlanningException($"--pp {layout.PipelineParallel} is more than the {m.Layers} layers; each pipeline stage needs at least one layer");
    }
}
