namespace ScaleLab.Core.Runs;

/// <summary>
/// A sweep of a results store (<see cref="ISweepResults"/>) as <see cref="SweepData"/>: what reports, fits and the
/// dashboard read of a store, here in Core so that none of them needs the database driver. Figures come from the
/// database alone, so a machine that only reaches the database can fit and report a cluster's study; only the step
/// records, which the store does not hold, are read from a trial's run directory when it is readable here.
/// </summary>
public static class StoreSweepReader
{
    /// <summary>One sweep of <paramref name="store"/> by name, or all of them when <paramref name="sweepName"/> is null.</summary>
    public static SweepData Read(ISweepResults store, string? sweepName)
    {
        ArgumentNullException.ThrowIfNull(store);
        var sweeps = store.Sweeps();
        if (sweepName is null)
        {
            string all = sweeps.Count == 1 ? sweeps[0].Name : string.Join(", ", sweeps.Select(s => s.Name));
            return new SweepData(sweeps.Count == 1 ? sweeps[0].Directory ?? store.Location : store.Location, all, SweepData.StoreSource, Points(store, null));
        }
        var sweep = sweeps.FirstOrDefault(s => s.Name == sweepName)
            ?? throw new ScaleLabException($"{store.Location}: no sweep named '{sweepName}'; it holds {(sweeps.Count == 0 ? "none" : string.Join(", ", sweeps.Select(s => s.Name)))}");
        return new SweepData(sweep.Directory ?? store.Location, sweep.Name, SweepData.StoreSource, Points(store, sweep.Id));
    }

    /// <summary>Every trial of the store (or of one sweep) as a point, with its epochs and, where its run directory exists, its step records.</summary>
    public static IReadOnlyList<TrialPoint> Points(ISweepResults store, long? sweepId)
    {
        ArgumentNullException.ThrowIfNull(store);
        var epochs = store.AllEpochs(sweepId);
        return [.. store.Trials(sweepId).Select(t => TrialPoint.From(t, epochs.TryGetValue(t.Id, out var list) ? list : [], Steps(t.Plan.RunDirectory)))];
    }

    /// <summary>steps.jsonl of a trial's run directory; none when the directory is not on this machine (a worker's disk).</summary>
    public static IReadOnlyList<StepMetrics> Steps(string runDirectory) =>
        runDirectory.Length > 0 && Directory.Exists(runDirectory) ? RunReader.ReadSteps(runDirectory) : [];
}
