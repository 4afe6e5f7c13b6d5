using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ScaleLab.Experiments.Store;

/// <summary>
/// The durable results of a sweep: DIR/results.db, SQLite in WAL mode. Every write is one transaction, so a process
/// killed at any moment leaves the file as it was before or after that write, never between. Each operation opens its
/// own (pooled) connection, so one store may be shared by worker threads, and several processes may write the same
/// file: they wait on each other (busy timeout) instead of failing.
/// Reads are in ResultsStoreQueries.cs.
/// </summary>
public sealed partial class ResultsStore
{
    public const string FileName = "results.db";

    /// <summary>How long a writer waits for another to finish before giving up (SQLite busy timeout).</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(60);

    private readonly string _connectionString;

    private ResultsStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if needed) DIR/results.db.</summary>
    public static ResultsStore Open(string sweepDirectory)
    {
        ArgumentNullException.ThrowIfNull(sweepDirectory);
        Directory.CreateDirectory(sweepDirectory);
        return OpenFile(System.IO.Path.Combine(sweepDirectory, FileName));
    }

    /// <summary>Opens an existing DIR/results.db for reading; a missing file is an error naming the directory.</summary>
    public static ResultsStore OpenExisting(string sweepDirectory)
    {
        ArgumentNullException.ThrowIfNull(sweepDirectory);
        string path = System.IO.Path.Combine(sweepDirectory, FileName);
        if (!File.Exists(path))
            throw new StoreException($"{sweepDirectory}: no {FileName} here; run `scalelab sweep SWEEP.json --out {sweepDirectory}` first");
        return OpenFile(path);
    }

    public static ResultsStore OpenFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var store = new ResultsStore(System.IO.Path.GetFullPath(path));
        try
        {
            using var connection = store.Connect();
            StoreSchema.Ensure(connection, store.Path);
        }
        catch (SqliteException ex)
        {
            throw store.Fault(ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"{store.Path}: cannot be opened ({ScaleLab.Core.OutputFolder.Reason(ex)})", ex);
        }
        return store;
    }

    /// <summary>Creates the sweep row, or refreshes its description and spec; returns its id.</summary>
    public long EnsureSweep(string name, string? description, string specJson)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(specJson);
        string now = Time(DateTime.UtcNow);
        return Write(t =>
        {
            Execute(t, """
                INSERT INTO sweeps (name, description, spec_json, created_utc, updated_utc) VALUES ($name, $description, $spec, $now, $now)
                ON CONFLICT(name) DO UPDATE SET description = excluded.description, spec_json = excluded.spec_json, updated_utc = excluded.updated_utc;
                """, ("$name", name), ("$description", description), ("$spec", specJson), ("$now", now));
            return Convert.ToInt64(ScalarIn(t, "SELECT id FROM sweeps WHERE name = $name;", ("$name", name)), CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Adds planned trials as queued; a trial already stored (same id) keeps its status and results.</summary>
    public void AddTrials(long sweepId, IEnumerable<TrialPlanRow> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        string now = Time(DateTime.UtcNow);
        Write(t =>
        {
            foreach (var p in trials)
            {
                Execute(t, """
                    INSERT INTO trials (id, sweep_id, idx, label, axes_json, spec_json, config_json, status, run_directory,
                                        estimated_parameters, forward_flops_per_sample, queued_utc)
                    VALUES ($id, $sweep, $idx, $label, $axes, $spec, $config, 'queued', $dir, $params, $flops, $now)
                    ON CONFLICT(id) DO UPDATE SET idx = excluded.idx, label = excluded.label, sweep_id = excluded.sweep_id;
                    """, ("$id", p.Id), ("$sweep", sweepId), ("$idx", p.Index), ("$label", p.Label), ("$axes", p.AxesJson),
                    ("$spec", p.SpecJson), ("$config", p.ConfigJson), ("$dir", p.RunDirectory), ("$params", p.EstimatedParameters),
                    ("$flops", p.ForwardFlopsPerSample), ("$now", now));
            }
            return 0;
        });
    }

    /// <summary>A trial process started: status running, one more attempt, its process id (so an orphan can be found after a crash).</summary>
    public void MarkRunning(string trialId, int? processId)
    {
        int changed = Write(t => Execute(t, """
            UPDATE trials SET status = 'running', attempts = attempts + 1, pid = $pid, started_utc = $now, finished_utc = NULL, message = NULL
            WHERE id = $id;
            """, ("$id", trialId), ("$pid", processId), ("$now", Time(DateTime.UtcNow))));
        if (changed == 0) throw UnknownTrial(trialId);
    }

    /// <summary>Records one finished epoch as it happens (from the trial's progress), replacing an earlier row of the same epoch.</summary>
    public void RecordEpoch(EpochRecord epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        Write(t =>
        {
            InsertEpoch(t, epoch);
            return Execute(t, "UPDATE trials SET epochs_completed = max(epochs_completed, $epoch) WHERE id = $id;",
                ("$epoch", epoch.Epoch), ("$id", epoch.TrialId));
        });
    }

    /// <summary>
    /// The trial process ended: its figures, status and the full list of its epochs (replacing any recorded so far),
    /// all in one transaction.
    /// </summary>
    public void Finish(string trialId, TrialOutcome outcome, IReadOnlyList<EpochRecord> epochs)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(epochs);
        int changed = Write(t =>
        {
            Execute(t, "DELETE FROM epochs WHERE trial_id = $id;", ("$id", trialId));
            foreach (var e in epochs) InsertEpoch(t, e with { TrialId = trialId });
            return Execute(t, """
                UPDATE trials SET status = $status, message = $message, pid = NULL, finished_utc = $now,
                    parameters = $parameters, epochs_completed = $epochs, steps = $steps, samples_seen = $samples,
                    training_flops = $flops, step_seconds_mean = $step, train_seconds = $train, peak_rss_bytes = $rss,
                    final_train_loss = $ftl, final_val_loss = $fvl, final_val_accuracy = $fva, best_epoch = $be,
                    best_val_loss = $bvl, test_loss = $tl, test_accuracy = $ta
                WHERE id = $id;
                """, ("$id", trialId), ("$status", outcome.Status.ToText()), ("$message", outcome.Message), ("$now", Time(DateTime.UtcNow)),
                ("$parameters", outcome.Parameters), ("$epochs", outcome.EpochsCompleted), ("$steps", outcome.Steps),
                ("$samples", outcome.SamplesSeen), ("$flops", outcome.TrainingFlops), ("$step", outcome.StepSecondsMean),
                ("$train", outcome.TrainSeconds), ("$rss", outcome.PeakRssBytes), ("$ftl", outcome.FinalTrainLoss),
                ("$fvl", outcome.FinalValLoss), ("$fva", outcome.FinalValAccuracy), ("$be", outcome.BestEpoch),
                ("$bvl", outcome.BestValLoss), ("$tl", outcome.TestLoss), ("$ta", outcome.TestAccuracy));
        });
        if (changed == 0) throw UnknownTrial(trialId);
    }

    /// <summary>The trial could not be run or read back: status failed with a message for a person.</summary>
    public void MarkFailed(string trialId, string message)
    {
        int changed = Write(t => Execute(t, "UPDATE trials SET status = 'failed', message = $message, pid = NULL, finished_utc = $now WHERE id = $id;",
            ("$id", trialId), ("$message", message), ("$now", Time(DateTime.UtcNow))));
        if (changed == 0) throw UnknownTrial(trialId);
    }

    /// <summary>The trial was interrupted (the sweep was cancelled): back to queued, so the next run resumes it.</summary>
    public void MarkQueued(string trialId, string message)
    {
        int changed = Write(t => Execute(t, "UPDATE trials SET status = 'queued', message = $message, pid = NULL WHERE id = $id;",
            ("$id", trialId), ("$message", message)));
        if (changed == 0) throw UnknownTrial(trialId);
    }

    private static void InsertEpoch(SqliteTransaction t, EpochRecord e) => Execute(t, """
        INSERT OR REPLACE INTO epochs (trial_id, epoch, step, train_loss, train_accuracy, val_loss, val_accuracy, lr, epoch_seconds, samples_per_second)
        VALUES ($id, $epoch, $step, $tl, $ta, $vl, $va, $lr, $seconds, $rate);
        """, ("$id", e.TrialId), ("$epoch", e.Epoch), ("$step", e.Step), ("$tl", e.TrainLoss), ("$ta", e.TrainAccuracy),
        ("$vl", e.ValLoss), ("$va", e.ValAccuracy), ("$lr", e.Lr), ("$seconds", e.EpochSeconds), ("$rate", e.SamplesPerSecond));

    private StoreException UnknownTrial(string id) => new($"{Path}: no trial with id '{id}'");

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // WAL: readers never block the writer and a killed writer leaves the last committed state (sqlite.org/wal.html).
        pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = "
            + ((int)BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + ";";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one BEGIN IMMEDIATE transaction (the write lock is taken up front, so two writers never deadlock upgrading).</summary>
    private T Write<T>(Func<SqliteTransaction, T> work)
    {
        try
        {
            using var connection = Connect();
            using var transaction = connection.BeginTransaction(deferred: false);
            var result = work(transaction);
            transaction.Commit();
            return result;
        }
        catch (SqliteException ex)
        {
            throw Fault(ex);
        }
    }

    /// <summary>
    /// What a failing store means for people. SQLITE_NOTADB (26) and SQLITE_CORRUPT (11): a truncated or overwritten
    /// file; SQLITE_BUSY (5) and SQLITE_LOCKED (6): another process holds it; a row of the wrong type: edited by hand.
    /// </summary>
    private StoreException Fault(Exception ex)
    {
        string what = ex switch
        {
            SqliteException { SqliteErrorCode: 26 or 11 } => "is not a readable results store (truncated or corrupt); move it aside and run the sweep again to rebuild it from the run directories",
            SqliteException { SqliteErrorCode: 5 or 6 } => "is locked by another process; wait for it to finish",
            SqliteException s => $"cannot be used ({s.Message.TrimEnd('.')})",
            _ => $"holds a value of the wrong type ({ex.Message.TrimEnd('.')}); it was not written by scalelab, or was edited: move it aside and run the sweep again",
        };
        return new StoreException($"{Path}: {what}", ex);
    }

    private static int Execute(SqliteTransaction t, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(t.Connection!, sql, parameters);
        command.Transaction = t;
        return command.ExecuteNonQuery();
    }

    private static object? ScalarIn(SqliteTransaction t, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(t.Connection!, sql, parameters);
        command.Transaction = t;
        return command.ExecuteScalar();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static string Time(DateTime utc) => utc.ToString("O", CultureInfo.InvariantCulture);

    private static DateTime ParseTime(string text) => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
