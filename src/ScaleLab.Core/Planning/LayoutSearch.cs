using ScaleLab.Core.FineTuning;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Finds the smallest layout whose per-GPU training memory fits. The search space (docs/planning.md):
///   GPUs: powers of two from 1 to <see cref="MaxGpus"/>;
///   tensor parallel: 1, 2, 4, 8, dividing the head count: it all-reduces activations twice per layer, so it stays
///   inside one 8-GPU NVLink node (Narayanan et al. 2021, §3.3);
///   pipeline parallel: powers of two up to the layer count;
///   context parallel: 1, 2, 4, 8, dividing the sequence length;
///   expert parallel (mixture of experts): powers of two dividing the experts and the data- and context-parallel ranks;
///   ZeRO stage: 0 to 3.
/// Among the layouts that fit on the fewest GPUs, the one with the least model parallelism (tp × pp × cp) is preferred,
/// then the lowest ZeRO stage (each stage adds communication: stage 3 moves 1.5× plain data parallel's volume, ZeRO §7),
/// then the least expert parallelism (all-to-all traffic), then tensor before pipeline parallelism (no pipeline bubble). Micro-batch, sequence, precision and recomputation
/// stay as asked. Layer stacks search data parallelism and ZeRO only.
/// </summary>
public static class LayoutSearch
{
    public const int MaxGpus = 65_536;

    private static readonly int[] TensorDegrees = [1, 2, 4, 8];

    /// <summary>Context-parallel degrees: powers of two to 8 dividing the sequence (ring attention keeps its K/V exchange within a node).</summary>
    private static readonly int[] ContextDegrees = [1, 2, 4, 8];

    public static TrainingMemoryPlan? Smallest(Accounting.ModelCost cost, HardwareProfile hardware, TrainingSetup setup, bool sequenceParallel = false)
    {
        for (int gpus = 1; gpus <= MaxGpus; gpus *= 2)
        {
            var fit = Candidates(cost, gpus, sequenceParallel, setup.SequenceLength)
                .Where(layout => setup.FineTune?.Method.UsesAdapters() != true
                    || layout.TensorParallel * layout.PipelineParallel * layout.ContextParallel * layout.ExpertParallel == 1)
                .Select(layout => ParallelMemory.Plan(cost, hardware, layout, setup))
                .FirstOrDefault(plan => plan.Fits);
            if (fit is not null) return fit;
        }
        return null;
    }

    /// <summary>
    /// The fewest GPUs (a power of two, ≤ <see cref="MaxGpus"/>) on which <paramref name="layout"/>'s ZeRO stage, tp and
    /// pp fit; null when adding data-parallel GPUs cannot make it fit (ZeRO-0 replicates everything, ZeRO-1/2 still
    /// replicate the 16-bit weights).
    /// </summary>
    public static int? MinimumGpus(Accounting.ModelCost cost, HardwareProfile hardware, ParallelLayout layout, TrainingSetup setup)
    {
        ArgumentNullException.ThrowIfNull(layout);
        int modelParallel = layout.TensorParallel * layout.PipelineParallel * layout.ContextParallel;
        for (int dp = 1; (long)dp * modelParallel <= MaxGpus; dp *= 2)
        {
            if (dp * layout.ContextParallel % layout.ExpertParallel != 0) continue;   // the ep group is carved from dp × cp
            var candidate = layout with { Gpus = dp * modelParallel };
            if (ParallelMemory.Plan(cost, hardware, candidate, setup).Fits) return candidate.Gpus;
        }
        return null;
    }

    internal static IEnumerable<ParallelLayout> Candidates(Accounting.ModelCost cost, int gpus, bool sequenceParallel, long sequence = 0)
    {
        var m = cost.Spec.Transformer;
        var tensor = m is null ? [1] : TensorDegrees.Where(t => t <= gpus && m.Heads % t == 0).ToArray();
        var pipeline = new List<int>();
        for (int p = 1; p <= gpus && p <= (m?.Layers ?? 1); p *= 2) pipeline.Add(p);
        var context = m is null || sequence < 1 ? [1] : ContextDegrees.Where(c => c <= gpus && sequence % c == 0).ToArray();
        var expert = new List<int> { 1 };
        if (m is { IsMixtureOfExperts: true })
            for (int e = 2; e <= gpus && e <= m.Experts; e *= 2) if (m.Experts % e == 0) expert.Add(e);

        return from t in tensor
               from p in pipeline
               from c in context
               where gpus % (t * p * c) == 0
               from e in expert
               where gpus / (t * p) % e == 0
               from zero in new[] { 0, 1, 2, 3 }
               orderby t * p * c, zero, e, p, c
               select new ParallelLayout(gpus, zero, t, p, sequenceParallel && t > 1, e, c);
    }
}
