using ScaleLab.Core;
using ScaleLab.Core.Runs;

namespace ScaleLab.Experiments.Store;

/// <summary>
/// Loads a sweep for plots, fits, reports and the dashboard: from DIR/results.db (the sweep's store) when present,
/// otherwise from the run directories DIR/trials/*/ (docs/run-directory.md), or DIR itself when it is one run
/// directory. Every trial becomes a point through the one function <see cref="TrialPoint.From"/>.
/// </summary>
public sealed class SweepLoader : ISweepSource
{
    public static readonly SweepLoader Instance = new();

    public bool Holds(string directory) =>
        HasStore(directory) || RunFiles.HoldsRun(directory) || Directory.Exists(Path.Combine(directory, SweepFiles.TrialsFolder));

    public bool HasStore(string directory) => File.Exists(Path.Combine(directory, SweepFiles.ResultsDb));

    public SweepData Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory)) throw new ScaleLabException($"{directory}: no such directory");
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        if (HasStore(directory))
        {
            var store = SqliteResultsStore.OpenExisting(directory);
            var sweeps = store.Sweeps();
            return new SweepData(directory, sweeps.Count == 1 ? sweeps[0].Name : name, SweepFiles.ResultsDb, StoreSweepReader.Points(store, null));
        }
        if (RunFiles.HoldsRun(directory)) return new SweepData(directory, name, "run directory", [FromRunDirectory(name, directory)]);
        string trials = Path.Combine(directory, SweepFiles.TrialsFolder);
        if (!Directory.Exists(trials))
        {
            throw new ScaleLabException(
                $"{directory}: neither a sweep (no {SweepFiles.ResultsDb}, no {SweepFiles.TrialsFolder}/ folder) nor a run directory (no {RunFiles.SummaryFile}); point at the --out folder of `scalelab sweep` or `scalelab train`");
        }
        var points = Directory.GetDirectories(trials).Order(StringComparer.Ordinal)
            .Select(d => FromRunDirectory(Path.GetFileName(d), d)).ToList();
        return new SweepData(directory, name, "run directories", points);
    }

    /// <summary>
    /// One sweep of a store (or all of them when <paramref name="sweepName"/> is null), from the database (and the
    /// step records of run directories readable here): <see cref="StoreSweepReader.Read"/>.
    /// </summary>
    public static SweepData FromStore(ISweepResults store, string? sweepName) => StoreSweepReader.Read(store, sweepName);

    private static TrialPoint FromRunDirectory(string id, string runDirectory)
    {
        var (trial, epochs) = RunOutcome.AsTrial(id, runDirectory);
        return TrialPoint.From(trial, epochs, RunReader.ReadSteps(runDirectory));
    }
}
