using ScaleLab.Core.Accounting;

namespace ScaleLab.Core.Planning;

/// <summary>One change to a training plan that does not fit, and the per-GPU memory with it.</summary>
/// <param name="Change">What to pass, e.g. "--recompute full", "--zero 3", "--gpus 16".</param>
/// <param name="Cost">What the change costs in throughput, in words.</param>
public sealed record FitChange(string Change, string Cost, TrainingMemoryPlan Memory);

/// <summary>
/// The cheapest single changes that make a training plan fit, ranked by what they usually cost in throughput:
///   1. a fused attention kernel (free: FlashAttention is faster than eager attention, Dao et al. 2022, §4);
///   2. selective recomputation (Korthikanti et al. 2022, §5: 2–4 % more FLOPs on GPT-3 shapes);
///   3. a higher ZeRO stage (more data-parallel traffic; stage 3 moves 1.5× plain data parallel's volume, ZeRO §7);
///   4. a smaller micro-batch (same global batch with more accumulation steps; lower matmul efficiency);
///   5. tensor parallelism within the node, context parallelism (ring attention), expert parallelism for a mixture of
///      experts (all-to-all), then pipeline parallelism (the pipeline bubble);
///   6. full recomputation (one more forward pass: about 33 % more compute, Korthikanti §5);
///   7. more GPUs (the asked layout's minimum; costs money, not time), or, when the asked ZeRO stage cannot fit on any
///      number of GPUs, ZeRO-3 on the fewest GPUs that fit.
/// Each is tried on its own from the asked setup, on the same number of GPUs except the last; only those that fit
/// are returned, each with its per-GPU total.
/// </summary>
public static class FitChanges
{
    public static IReadOnlyList<FitChange> For(ModelCost cost, HardwareProfile hardware, ParallelLayout layout, TrainingSetup setup, int? minimumGpus)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(setup);
        var changes = new List<FitChange>();
        bool transformer = cost.Spec.Transformer is not null;
        void Try(string change, string price, ParallelLayout l, TrainingSetup s)
        {
            try
            {
                var memory = ParallelMemory.Plan(cost, hardware, l, s);
                if (memory.Fits) changes.Add(new FitChange(change, price, memory));
            }
            catch (PlanningException)
            {
                // A layout this model cannot take (tp not dividing the heads, pp beyond the layers) is simply not a candidate.
            }
        }
        bool TryFirst(IEnumerable<(string Change, ParallelLayout Layout, TrainingSetup Setup)> options, string price)
        {
            int before = changes.Count;
            foreach (var (change, l, s) in options)
            {
                Try(change, price, l, s);
                if (changes.Count > before) return true;
            }
            return false;
        }

        if (transformer && setup.Attention == AttentionKernel.Eager)
            Try("--attention flash", "none (fused attention is also faster)", layout, setup with { Attention = AttentionKernel.Flash });
        if (transformer && setup.Recompute == ActivationRecompute.None && setup.Attention == AttentionKernel.Eager)
            Try("--recompute selective", "a few % more FLOPs (the attention core is recomputed)", layout, setup with { Recompute = ActivationRecompute.Selective });
        TryFirst(Enumerable.Range(layout.Zero + 1, Math.Max(0, 3 - layout.Zero))
            .Select(z => ($"--zero {z}", layout with { Zero = z }, setup)), "more data-parallel communication");
        TryFirst(Halvings(setup.MicroBatch).Select(b => ($"--micro-batch {b}", layout, setup with { MicroBatch = b })),
            "more accumulation steps for the same global batch");
        if (transformer)
        {
            TryFirst(new[] { 2, 4, 8 }.Where(t => t > layout.TensorParallel)
                .Select(t => ($"--tp {t}", layout with { TensorParallel = t, SequenceParallel = layout.SequenceParallel }, setup)),
                "tensor-parallel all-reduces inside the node");
            TryFirst(new[] { 2, 4, 8 }.Where(c => c > layout.ContextParallel)
                .Select(c => ($"--cp {c}", layout with { ContextParallel = c }, setup)), "ring attention's K/V exchange (overlapped with compute)");
            if (cost.Spec.Transformer!.IsMixtureOfExperts)
                TryFirst(Doublings(layout.ExpertParallel, cost.Spec.Transformer.Experts)
                    .Select(e => ($"--ep {e}", layout with { ExpertParallel = e }, setup)), "all-to-all token exchange");
            TryFirst(Doublings(layout.PipelineParallel, cost.Spec.Transformer!.Layers)
                .Select(p => ($"--pp {p}", layout with { PipelineParallel = p }, setup)), "the pipeline bubble");
            if (setup.Recompute != ActivationRecompute.Full)
                Try("--recompute full", "about 33 % more compute (one more forward pass)", layout, setup with { Recompute = ActivationRecompute.Full });
        }
        if (minimumGpus is int gpus && gpus != layout.Gpus)
            Try($"--gpus {gpus}", "more GPUs", layout with { Gpus = gpus }, setup);
        else if (minimumGpus is null && layout.Zero < 3
            && LayoutSearch.MinimumGpus(cost, hardware, layout with { Zero = 3 }, setup) is int sharded)
            Try($"--zero 3 --gpus {sharded}", "more GPUs, and ZeRO-3's 1.5× data-parallel traffic", layout with { Zero = 3, Gpus = sharded }, setup);
        return changes;
    }

    private static IEnumerable<long> Halvings(long microBatch)
    {
        for (long b = microBatch / 2; b >= 1; b /= 2) yield return b;
    }

    private static IEnumerable<int> Doublings(int from, int max)
    {
        for (int p = from * 2; p <= max; p *= 2) yield return p;
    }
}
