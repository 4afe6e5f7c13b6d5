namespace ScaleLab.Core.Runs;

/// <summary>
/// What reports, fits and the dashboard read of a results store: its sweeps, trials and their epochs. The stores of
/// ScaleLab.Experiments (SQLite, PostgreSQL) implement it; readers never need the database driver.
/// </summary>
public interface ISweepResults
{
    /// <summary>The store for people: a file path, or a URL with its password masked.</summary>
    string Location { get; }

    IReadOnlyList<SweepRecord> Sweeps();

    /// <summary>Every trial, or those of one sweep, ordered by sweep and plan index.</summary>
    IReadOnlyList<TrialRecord> Trials(long? sweepId = null);

    /// <summary>Every epoch of every trial (or of one sweep's trials), grouped by trial id.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<EpochMetrics>> AllEpochs(long? sweepId = null);
}

/// <summary>
/// Finds and loads the sweeps and runs in a folder (a sweep directory with its store, DIR/trials/*/, or one run
/// directory). Implemented where the stores are (ScaleLab.Experiments' SweepLoader); the dashboard and reports take it.
/// </summary>
public interface ISweepSource
{
    /// <summary>True when <paramref name="directory"/> holds something <see cref="Load"/> reads.</summary>
    bool Holds(string directory);

    /// <summary>True when the trials of <paramref name="directory"/> come from a store that records their status (a trial without a summary there is queued or running, not unfinished).</summary>
    bool HasStore(string directory);

    SweepData Load(string directory);
}
