using Microsoft.Data.Sqlite;

namespace ScaleLab.Experiments.Store;

/// <summary>Reads of results.db: sweeps, trials (in sweep order) and epochs. Used by `sweep status`, `fit` and `report`.</summary>
public sealed partial class ResultsStore
{
    private const string TrialColumns = """
        id, sweep_id, idx, label, axes_json, spec_json, config_json, status, message, attempts, pid, run_directory,
        estimated_parameters, forward_flops_per_sample, parameters, epochs_completed, steps, samples_seen, training_flops,
        step_seconds_mean, train_seconds, peak_rss_bytes, final_train_loss, final_val_loss, final_val_accuracy, best_epoch,
        best_val_loss, test_loss, test_accuracy, queued_utc, started_utc, finished_utc
        """;

    public IReadOnlyList<SweepRecord> Sweeps() => Query(
        "SELECT id, name, description, spec_json, created_utc, updated_utc FROM sweeps ORDER BY id;",
        r => new SweepRecord(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
            ParseTime(r.GetString(4)), ParseTime(r.GetString(5))));

    /// <summary>Every trial, or those of one sweep, ordered by sweep and plan index.</summary>
    public IReadOnlyList<TrialRecord> Trials(long? sweepId = null) => sweepId is long id
        ? Query($"SELECT {TrialColumns} FROM trials WHERE sweep_id = $sweep ORDER BY idx, id;", ReadTrial, ("$sweep", id))
        : Query($"SELECT {TrialColumns} FROM trials ORDER BY sweep_id, idx, id;", ReadTrial);

    public TrialRecord? Trial(string id) =>
        Query($"SELECT {TrialColumns} FROM trials WHERE id = $id;", ReadTrial, ("$id", id)).SingleOrDefault();

    /// <summary>The epochs of one trial, in order.</summary>
    public IReadOnlyList<EpochRecord> Epochs(string trialId) => Query(
        "SELECT trial_id, epoch, step, train_loss, train_accuracy, val_loss, val_accuracy, lr, epoch_seconds, samples_per_second FROM epochs WHERE trial_id = $id ORDER BY epoch;",
        ReadEpoch, ("$id", trialId));

    /// <summary>Every epoch of every trial, grouped by trial id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<EpochRecord>> AllEpochs() => Query(
        "SELECT trial_id, epoch, step, train_loss, train_accuracy, val_loss, val_accuracy, lr, epoch_seconds, samples_per_second FROM epochs ORDER BY trial_id, epoch;",
        ReadEpoch)
        .GroupBy(e => e.TrialId, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => (IReadOnlyList<EpochRecord>)[.. g], StringComparer.Ordinal);

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        try
        {
            using var connection = Connect();
            using var command = Command(connection, sql, parameters);
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read()) rows.Add(read(reader));
            return rows;
        }
        catch (Exception ex) when (ex is SqliteException or InvalidCastException or InvalidOperationException or FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            throw Fault(ex);
        }
    }

    private static EpochRecord ReadEpoch(SqliteDataReader r) => new(
        r.GetString(0), r.GetInt32(1), r.GetInt64(2), r.GetDouble(3), NullableDouble(r, 4), NullableDouble(r, 5),
        NullableDouble(r, 6), r.GetDouble(7), r.GetDouble(8), r.GetDouble(9));

    private static TrialRecord ReadTrial(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        SweepId = r.GetInt64(1),
        Index = r.GetInt32(2),
        Label = r.GetString(3),
        AxesJson = r.GetString(4),
        SpecJson = r.GetString(5),
        ConfigJson = r.GetString(6),
        Status = TrialStatusText.Parse(r.GetString(7)),
        Message = r.IsDBNull(8) ? null : r.GetString(8),
        Attempts = r.GetInt32(9),
        ProcessId = r.IsDBNull(10) ? null : r.GetInt32(10),
        RunDirectory = r.GetString(11),
        EstimatedParameters = r.GetInt64(12),
        ForwardFlopsPerSample = r.GetInt64(13),
        Parameters = NullableLong(r, 14),
        EpochsCompleted = r.GetInt32(15),
        Steps = NullableLong(r, 16),
        SamplesSeen = NullableDouble(r, 17),
        TrainingFlops = NullableDouble(r, 18),
        StepSecondsMean = NullableDouble(r, 19),
        TrainSeconds = NullableDouble(r, 20),
        PeakRssBytes = NullableLong(r, 21),
        FinalTrainLoss = NullableDouble(r, 22),
        FinalValLoss = NullableDouble(r, 23),
        FinalValAccuracy = NullableDouble(r, 24),
        BestEpoch = r.IsDBNull(25) ? null : r.GetInt32(25),
        BestValLoss = NullableDouble(r, 26),
        TestLoss = NullableDouble(r, 27),
        TestAccuracy = NullableDouble(r, 28),
        QueuedUtc = ParseTime(r.GetString(29)),
        StartedUtc = r.IsDBNull(30) ? null : ParseTime(r.GetString(30)),
        FinishedUtc = r.IsDBNull(31) ? null : ParseTime(r.GetString(31)),
    };

    private static double? NullableDouble(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static long? NullableLong(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
