using System.Globalization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Formatting;

namespace ScaleLab.Core.Planning;

/// <summary>Everything `scalelab plan TARGET --tokens D` reports: memory under the asked layout, the verdict, the smallest fit, time and cost.</summary>
/// <param name="MinimumGpus">Fewest GPUs for the asked ZeRO stage, tp and pp; null when more data parallelism cannot make it fit.</param>
/// <param name="Smallest">The smallest layout in <see cref="LayoutSearch"/>'s space that fits; null when none does.</param>
/// <param name="Compute">Time and cost, when a token count was given.</param>
/// <param name="Changes">When it does not fit: the cheapest single changes that make it fit, ranked (<see cref="FitChanges"/>).</param>
public sealed record TrainingPlan(
    ModelCost Cost,
    HardwareProfile Hardware,
    TrainingSetup Setup,
    TrainingMemoryPlan Memory,
    int? MinimumGpus,
    TrainingMemoryPlan? Smallest,
    TrainingCompute? Compute,
    IReadOnlyList<FitChange>? Changes = null)
{
    public IReadOnlyList<FitChange> FitChanges => Changes ?? [];

    /// <summary>What the activation figure assumes, one statement each: attention kernel, dropout, formats.</summary>
    public IReadOnlyList<string> Assumptions => TrainingAssumptions.For(Cost, Setup);

    /// <summary>"fits on h100-sxm with 8 GPUs: …" or "does not fit on … with N GPUs: needs …; … needs at least M GPUs".</summary>
    public string Verdict
    {
        get
        {
            var layout = Memory.Layout;
            string on = $"on {Hardware.Name} with {Gpus(layout.Gpus)}";
            string total = HumanUnits.Bytes(Memory.TotalBytes), capacity = HumanUnits.Bytes(Memory.CapacityBytes);
            if (Memory.Fits) return $"fits {on}: uses {total} of {capacity} per GPU";
            string shape = $"ZeRO-{layout.Zero}, tp {layout.TensorParallel}, pp {layout.PipelineParallel}"
                + (layout.ContextParallel > 1 ? $", cp {layout.ContextParallel}" : "") + (layout.ExpertParallel > 1 ? $", ep {layout.ExpertParallel}" : "");
            string needs = MinimumGpus is int m
                ? $"with {shape} it needs at least {Gpus(m)}"
                : $"no number of GPUs makes {shape} fit: what ZeRO-{layout.Zero} does not shard ({Unsharded(layout.Zero)}) already needs {HumanUnits.Bytes(UnshardedBytes)} per GPU";
            return $"does not fit {on}: needs {total} per GPU, has {capacity}; {needs}";
        }
    }

    /// <summary>Bytes that adding data-parallel GPUs cannot shrink: what the ZeRO stage leaves whole, plus activations and buffers.</summary>
    public long UnshardedBytes
    {
        get
        {
            var state = Memory.ModelState;
            int zero = Memory.Layout.Zero;
            return checked((zero < 3 ? state.Weights : 0) + (zero < 2 ? state.Gradients : 0)
                + (zero < 1 ? state.MasterWeights + state.OptimizerState : 0) + Memory.Activations + Memory.Buffers);
        }
    }

    private static string Unsharded(int zero) => zero switch
    {
        0 => "all model state, activations",
        1 => "weights, gradients, activations",
        2 => "weights, activations",
        _ => "activations",
    };

    private static string Gpus(long n) => n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " GPU" : " GPUs");
}

public static class TrainingPlanner
{
    /// <summary>Plans memory for <paramref name="layout"/>, searches the smallest fit, and, given tokens, the time and cost.</summary>
    public static TrainingPlan Plan(ModelCost cost, HardwareProfile hardware, ParallelLayout layout, TrainingSetup setup,
        double? tokens = null, double mfu = TrainingTime.DefaultMfu, double? pricePerGpuHour = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var memory = ParallelMemory.Plan(cost, hardware, layout, setup);
        int? minimum = memory.Fits ? layout.Gpus : LayoutSearch.MinimumGpus(cost, hardware, layout, setup);
        var smallest = LayoutSearch.Smallest(cost, hardware, setup, layout.SequenceParallel);
        var compute = tokens is double d
            ? TrainingTime.Estimate(cost, hardware, d, layout.Gpus, setup.Format, mfu, pricePerGpuHour)
            : null;
        if (compute is not null && setup.FineTune?.Method.UsesAdapters() == true)
        {
            // A frozen base computes no weight gradients: its matmuls' backward is the input gradient alone (1 × their
            // forward instead of 2 ×); attention has no weights and keeps its 2 × backward. The adapters' FLOPs are
            // negligible (r ≪ d).
            double perToken = (cost.TrainingFlops - (cost.ForwardFlops - (2.0 * cost.AttentionMacs))) / Math.Max(1, cost.SequenceLength);
            compute = compute with { TrainingFlopsPerToken = perToken, ExactFlops = perToken * compute.Tokens };
        }
        var changes = memory.Fits ? [] : Planning.FitChanges.For(cost, hardware, layout, setup, minimum);
        return new TrainingPlan(cost, hardware, setup, memory, minimum, smallest, compute, changes);
    }
}
