using System.Data.Common;
using System.Globalization;
using ScaleLab.Core.Runs;

namespace ScaleLab.Experiments.Store;

/// <summary>Reads of the store: sweeps, trials (in sweep order) and epochs. Used by `sweep status`, `fit`, `report` and the workers.</summary>
public abstract partial class SqlResultsStore
{
    private const string TrialColumns = """
        id, sweep_id, idx, label, axes_json, spec_json, config_json, status, message, attempts, pid, run_directory,
        estimated_parameters, forward_flops_per_sample, parameters, epochs_completed, steps, samples_seen, training_flops,
        step_seconds_mean, train_seconds, peak_rss_bytes, final_train_loss, final_val_loss, final_val_accuracy, best_epoch,
        best_val_loss, test_loss, test_accuracy, queued_utc, started_utc, finished_utc, worker, lease_expires_utc, summary_json
        """;

    private const string SweepColumns = "id, name, description, spec_json, created_utc, updated_utc, directory, max_attempts";

    private const string EpochColumns = "trial_id, epoch, step, train_loss, train_accuracy, val_loss, val_accuracy, lr, epoch_seconds, samples_per_second";

    public IReadOnlyList<SweepRecord> Sweeps() => Query($"SELECT {SweepColumns} FROM sweeps ORDER BY id;", ReadSweep);

    public SweepRecord? Sweep(string name) =>
        Query($"SELECT {SweepColumns} FROM sweeps WHERE name = @name;", ReadSweep, ("@name", name)).SingleOrDefault();

    public IReadOnlyList<TrialRecord> Trials(long? sweepId = null) => sweepId is long id
        ? Query($"SELECT {TrialColumns} FROM trials WHERE sweep_id = @sweep ORDER BY idx, id;", ReadTrial, ("@sweep", id))
        : Query($"SELECT {TrialColumns} FROM trials ORDER BY sweep_id, idx, id;", ReadTrial);

    public TrialRecord? Trial(string id) =>
        Query($"SELECT {TrialColumns} FROM trials WHERE id = @id;", ReadTrial, ("@id", id)).SingleOrDefault();

    public IReadOnlyList<EpochMetrics> Epochs(string trialId) =>
        [.. Query($"SELECT {EpochColumns} FROM epochs WHERE trial_id = @id ORDER BY epoch;", ReadEpoch, ("@id", trialId)).Select(e => e.Metrics)];

    public IReadOnlyDictionary<string, IReadOnlyList<EpochMetrics>> AllEpochs(long? sweepId = null) =>
        (sweepId is long id
            ? Query($"SELECT {EpochColumns} FROM epochs WHERE trial_id IN (SELECT id FROM trials WHERE sweep_id = @sweep) ORDER BY trial_id, epoch;", ReadEpoch, ("@sweep", id))
            : Query($"SELECT {EpochColumns} FROM epochs ORDER BY trial_id, epoch;", ReadEpoch))
        .GroupBy(e => e.TrialId, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => (IReadOnlyList<EpochMetrics>)[.. g.Select(e => e.Metrics)], StringComparer.Ordinal);

    protected List<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
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
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Fault(ex);
        }
    }

    private SweepRecord ReadSweep(DbDataReader r) => new(Long(r, 0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
        ReadTime(r, 4), ReadTime(r, 5), r.IsDBNull(6) ? null : r.GetString(6), Int(r, 7));

    private static (string TrialId, EpochMetrics Metrics) ReadEpoch(DbDataReader r) => (r.GetString(0), new EpochMetrics(
        Int(r, 1), Long(r, 2), Double(r, 3), NullableDouble(r, 4), NullableDouble(r, 5),
        NullableDouble(r, 6), Double(r, 7), Double(r, 8), Double(r, 9)));

    private TrialRecord ReadTrial(DbDataReader r)
    {
        var status = TrialStatusText.Parse(r.GetString(7));
        string? message = r.IsDBNull(8) ? null : r.GetString(8);
        return new TrialRecord
        {
            Plan = new TrialPlanRow(r.GetString(0), Int(r, 2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                Long(r, 12), Long(r, 13), r.GetString(11)),
            SweepId = Long(r, 1),
            Status = status,
            Message = message,
            Attempts = Int(r, 9),
            ProcessId = r.IsDBNull(10) ? null : Int(r, 10),
            EpochsCompleted = Int(r, 15),
            Result = r.IsDBNull(34) ? ResultFromColumns(r, status, message) : ReadSummary(r.GetString(34), r.GetString(0)),
            QueuedUtc = ReadTime(r, 29),
            StartedUtc = r.IsDBNull(30) ? null : ReadTime(r, 30),
            FinishedUtc = r.IsDBNull(31) ? null : ReadTime(r, 31),
            Worker = r.IsDBNull(32) ? null : r.GetString(32),
            LeaseExpiresUtc = r.IsDBNull(33) ? null : ReadTime(r, 33),
        };
    }

    /// <summary>The trial's summary.json as stored; damaged JSON or impossible figures name the store, the trial and the column.</summary>
    private RunSummary ReadSummary(string json, string trialId)
    {
        string where = $"{Location}: trial {trialId} summary_json";
        try
        {
            var summary = System.Text.Json.JsonSerializer.Deserialize<RunSummary>(json, ScaleLab.Core.Json.ScaleLabJson.Options)
                ?? throw new StoreException($"{where} holds JSON null");
            return RunSummaryChecks.Check(summary, where);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new StoreException($"{where} is not a run summary: {ex.Message}");
        }
    }

    /// <summary>
    /// A trial that finished before schema 3 kept summary.json whole: its summary as far as the columns hold it (no
    /// final epoch's learning rate or timing, test figures without their sample count).
    /// </summary>
    private RunSummary? ResultFromColumns(DbDataReader r, TrialStatus status, string? message)
    {
        if (r.IsDBNull(14)) return null;
        return new RunSummary
        {
            Status = status switch { TrialStatus.Completed => RunStatus.Completed, TrialStatus.Failed => RunStatus.Failed, _ => RunStatus.Running },
            Message = message,
            EpochsCompleted = Int(r, 15),
            Steps = NullableLong(r, 16) ?? 0,
            SamplesSeen = r.IsDBNull(17) ? null : (long)Double(r, 17),
            Parameters = Long(r, 14),
            EstimatedParameters = Long(r, 12),
            ForwardFlopsPerSample = Long(r, 13),
            TrainingFlops = NullableDouble(r, 18),
            StepSecondsMean = NullableDouble(r, 19) ?? 0,
            TrainSeconds = NullableDouble(r, 20) ?? 0,
            PeakRssBytes = NullableLong(r, 21) ?? 0,
            Best = r.IsDBNull(25) || r.IsDBNull(26) ? null : new BestEpoch(Int(r, 25), Double(r, 26)),
            Test = r.IsDBNull(27) ? null : new TestMetrics(0, Double(r, 27), NullableDouble(r, 28), null, 0, null, null, null),
            RunDirectory = r.GetString(11),
        };
    }

    // Through Convert: SQLite hands back every integer as long, PostgreSQL columns are bigint; a value that does not
    // fit or is of the wrong type (a hand-edited file) throws, and Fault explains it.
    protected static int Int(DbDataReader r, int i) => Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    protected static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private static double Double(DbDataReader r, int i) => Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    private static double? NullableDouble(DbDataReader r, int i) => r.IsDBNull(i) ? null : Double(r, i);

    private static long? NullableLong(DbDataReader r, int i) => r.IsDBNull(i) ? null : Long(r, i);
}
