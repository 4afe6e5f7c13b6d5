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
        else RequireTensorParallelFits(transformer, layout, setup);

        long parameters = ParametersPerRank(cost, layout);   // experts included, split ep ways
        var modelState = ModelStateOnRank(cost, layout, state, parameters);
        var dropout = TrainingDropout.For(transformer, setup.Dropout);
        ActivationBytes? detail = transformer is null
            ? null
            : TransformerActivations.Compute(transformer, setup.SequenceLength, setup.MicroBatch, layout, setup.Recompute, state.ActivationBytes,
                dropout.Hidden, setup.Attention, dropout.Attention, setup.CapacityFactor);
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
            // The busiest stage holds the heaviest layers: where layers differ (DeepSeek's dense first layers against
            // its routed ones) the largest block, not the average, bounds a stage.
            var blockRows = cost.Layers.Where(l => l.IsContainer && l.Path.StartsWith("blocks[", StringComparison.Ordinal)).ToList();
            long perLayer = blockRows.Count > 0 ? blockRows.Max(l => l.Parameters) : ModelStateMemory.CeilDiv(Math.Max(0, blocks), m.Layers);
            long layersPerStage = (m.Layers + layout.PipelineParallel - 1) / layout.PipelineParallel;
            stage = checked((layersPerStage * perLayer) + Math.Max(embedding, head));
        }
        long rank = ModelStateMemory.CeilDiv(stage, layout.TensorParallel);
        if (layout.ExpertParallel == 1) return rank;
        // Of the stage's experts each rank keeps E/ep: remove the others' share.
        var whole = layout with { ExpertParallel = 1 };
        return rank - ExpertParametersPerRank(cost, whole) + ExpertParametersPerRank(cost, layout);
    }

    /// <summary>
    /// Experts' weights are split ep ways and their state is sharded over the dp × cp / ep ranks that hold the same
    /// experts; everything else is sharded over dp × cp. Without expert parallelism this is ZeRO over dp × cp.
    /// </summary>
    private static ModelStateBytes ModelStateOnRank(ModelCost cost, ParallelLayout layout, TrainingState state, long parameters)
    {
        if (layout.ExpertParallel == 1) return ModelStateMemory.PerGpu(parameters, state, layout.Zero, layout.ShardingRanks);
        long experts = ExpertParametersPerRank(cost, layout);
        var dense = ModelStateMemory.PerGpu(parameters - experts, state, layout.Zero, layout.ShardingRanks);
        var expert = ModelStateMemory.PerGpu(experts, state, layout.Zero, layout.ShardingRanks / layout.ExpertParallel);
        return new ModelStateBytes(checked(dense.Weights + expert.Weights), checked(dense.Gradients + expert.Gradients),
            checked(dense.MasterWeights + expert.MasterWeights), checked(dense.OptimizerState + expert.OptimizerState));
    }

    /// <summary>
    /// The routed experts' weights on one rank: per routing layer E experts of (gated: 3, plain: 2)·d·f weights at the
    /// experts' own width f (DeepSeek's moe_intermediate_size, not the dense layers'), with their biases where the model
    /// has them (gpt-oss); ⌈routing layers / pp⌉ layers on the busiest stage (DeepSeek's dense first layers hold none),
    /// split tp ways (each expert's matrices are tensor-parallel like a dense FFN) and ep ways (E/ep experts each).
    /// Shared experts are dense: every rank keeps them.
    /// </summary>
    public static long ExpertParametersPerRank(ModelCost cost, ParallelLayout layout)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(layout);
        var m = cost.Spec.Transformer;
        if (m is null || !m.IsMixtureOfExperts) return 0;
        bool gated = m.FeedForward != FeedForwardKind.Plain;
        long f = m.EffectiveExpertFfnSize;
        long biases = m.FfnBias ?? (m.Bias == BiasKind.All) ? (gated ? 2 * f : f) + m.DModel : 0;
        long perExpert = checked(((gated ? 3 : 2) * m.DModel * f) + biases);
        int routingLayers = Enumerable.Range(0, m.Layers).Count(m.IsMoeLayer);
        long layersPerStage = (routingLayers + layout.PipelineParallel - 1) / layout.PipelineParallel;
        return ModelStateMemory.CeilDiv(checked(layersPerStage * m.Experts * perExpert), (long)layout.TensorParallel * layout.ExpertParallel);
    }

    private static void RequireLayerStackLayout(ParallelLayout layout, TrainingSetup setup)
    {
        if (layout.ContextParallel > 1 || layout.ExpertParallel > 1)
            throw new PlanningException("--cp and --ep are modelled for transformer specs only; a layer stack plans with data parallelism and ZeRO");
        if (layout.TensorParallel > 1 || layout.PipelineParallel > 1)
            throw new PlanningException("--tp and --pp are modelled for transformer specs only; a layer stack plans with data parallelism and ZeRO");
        if (setup.Recompute != ActivationRecompute.None)
            throw new PlanningException("activation checkpointing is modelled for transformer specs only (it keeps each transformer layer's input)");
    }

    private static void RequireTensorParallelFits(TransformerSpec m, ParallelLayout layout, TrainingSetup setup)
    {
        if (layout.ExpertParallel > 1 && !m.IsMixtureOfExperts)
            throw new PlanningException($"--ep {layout.ExpertParallel} needs a mixture of experts; this model is dense");
        if (layout.ExpertParallel > 1 && m.Experts % layout.ExpertParallel != 0)
            throw new PlanningException($"--ep {layout.ExpertParallel} does not divide the {m.Experts} experts; each rank holds a whole number of experts");
        if (setup.SequenceLength % layout.ContextParallel != 0)
            throw new PlanningException($"--cp {layout.ContextParallel} does not divide --seq {setup.SequenceLength}; each rank holds an equal share of the tokens");
        if (m.Heads % layout.TensorParallel != 0)
            throw new PlanningException($"--tp {layout.TensorParallel} does not divide the {m.Heads} attention heads; tensor parallelism splits whole heads");
        if (layout.PipelineParallel > m.Layers)
            throw new PlanningException($"--pp {layout.PipelineParallel} is more than the {m.Layers} layers; each pipeline stage needs at least one layer");
    }
}
