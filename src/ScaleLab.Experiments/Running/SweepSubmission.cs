using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Running;

/// <summary>A sweep put in a store: its id, every trial it plans, and how many of them the store did not hold before.</summary>
public sealed record SubmittedSweep(long SweepId, string Name, string Directory, IReadOnlyList<TrialPlan> Plans, int Added);

/// <summary>
/// Registers a sweep and enqueues its trials (`scalelab sweep SPEC --submit`, and the first step of every local
/// sweep). Every trial is expanded and checked first, so a sweep with one invalid trial enqueues nothing. Trial ids
/// are hashes of what they train, so submitting the same sweep again adds nothing and leaves finished trials alone.
/// </summary>
public static class SweepSubmission
{
    /// <param name="sweepDirectory">Where the trials' run directories go (DIR/trials/ID): shared storage when workers run on many machines.</param>
    /// <param name="plans">The sweep's expansion when the caller has it already (<see cref="SweepExpansion.Expand"/>).</param>
    public static SubmittedSweep Submit(SweepSpec sweep, IResultsStore store, string sweepDirectory, IReadOnlyList<TrialPlan>? plans = null)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(store);
        string directory = Path.GetFullPath(sweepDirectory);
        plans ??= SweepExpansion.Expand(sweep);
        long sweepId = store.EnsureSweep(sweep.Name, sweep.Description, sweep.Json, directory, sweep.MaxAttempts);
        int added = store.AddTrials(sweepId, plans.Select(p => p.ToRow(directory)));
        return new SubmittedSweep(sweepId, sweep.Name, directory, plans, added);
    }
}
