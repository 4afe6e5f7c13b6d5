using System.Data.Common;
using System.Globalization;
using ScaleLab.Core.Runs;

namespace ScaleLab.Experiments.Store;

/// <summary>
/// The statements of <see cref="IResultsStore"/>, written once for both databases: portable SQL (ON CONFLICT,
/// RETURNING, @name parameters) that SQLite 3.35+ and PostgreSQL both run. A subclass says how to connect, how to
/// open a write transaction, how times are stored and how a failure reads for people; its schema file
/// (<see cref="SqliteSchema"/>, <see cref="PostgresSchema"/>) creates the same tables and columns in its own types.
/// Reads are in SqlResultsStoreQueries.cs, the claim protocol in SqlResultsStoreQueue.cs.
/// </summary>
public abstract partial class SqlResultsStore : IResultsStore
{
    public abstract string Location { get; }

    protected abstract DbConnection Connect();

    /// <summary>A transaction that may write (SQLite: BEGIN IMMEDIATE, so two writers never deadlock upgrading).</summary>
    protected abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>A time as a parameter value (SQLite: ISO-8601 text; PostgreSQL: timestamptz).</summary>
    protected abstract object TimeValue(DateTime utc);

    protected abstract DateTime ReadTime(DbDataReader reader, int ordinal);

    /// <summary>What a failing store means for people: one line naming <see cref="Location"/>.</summary>
    protected abstract StoreException Fault(Exception ex);

    /// <summary>True for the exceptions <see cref="Fault"/> explains (the driver's own, and rows of the wrong type).</summary>
    protected abstract bool IsStoreFailure(Exception ex);

    public long EnsureSweep(string name, string? description, string specJson, string? directory = null, int maxAttempts = 2)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(specJson);
        var now = TimeValue(DateTime.UtcNow);
        return Write(t => Convert.ToInt64(Scalar(t, """
            INSERT INTO sweeps (name, description, spec_json, created_utc, updated_utc, directory, max_attempts)
            VALUES (@name, @description, @spec, @now, @now, @directory, @max)
            ON CONFLICT (name) DO UPDATE SET description = excluded.description, spec_json = excluded.spec_json,
                updated_utc = excluded.updated_utc, directory = COALESCE(excluded.directory, sweeps.directory), max_attempts = excluded.max_attempts
            RETURNING id;
            """, ("@name", name), ("@description", description), ("@spec", specJson), ("@now", now), ("@directory", directory),
            ("@max", (long)maxAttempts)), CultureInfo.InvariantCulture));
    }

    public int AddTrials(long sweepId, IEnumerable<TrialPlanRow> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var now = TimeValue(DateTime.UtcNow);
        return Write(t =>
        {
            int added = 0;
            foreach (var p in trials)
            {
                int inserted = Execute(t, """
                    INSERT INTO trials (id, sweep_id, idx, label, axes_json, spec_json, config_json, status, run_directory,
                                        estimated_parameters, forward_flops_per_sample, queued_utc)
                    VALUES (@id, @sweep, @idx, @label, @axes, @spec, @config, 'queued', @dir, @params, @flops, @now)
                    ON CONFLICT (id) DO NOTHING;
                    """, ("@id", p.Id), ("@sweep", sweepId), ("@idx", (long)p.Index), ("@label", p.Label), ("@axes", p.AxesJson),
                    ("@spec", p.SpecJson), ("@config", p.ConfigJson), ("@dir", p.RunDirectory), ("@params", p.EstimatedParameters),
                    ("@flops", p.ForwardFlopsPerSample), ("@now", now));
                added += inserted;
                // Already stored: keep its status and results; only where it sits in the sweep may have changed.
                if (inserted == 0)
                {
                    Execute(t, "UPDATE trials SET idx = @idx, label = @label, sweep_id = @sweep WHERE id = @id;",
                        ("@id", p.Id), ("@idx", (long)p.Index), ("@label", p.Label), ("@sweep", sweepId));
                }
            }
            return added;
        });
    }

    public bool MarkRunning(string trialId, int? processId, TrialLease? lease = null)
    {
        var pid = processId is int p ? (object)(long)p : null;
        if (lease is not null)
            return Checked(trialId, lease, Write(t => Execute(t, "UPDATE trials SET pid = @pid WHERE id = @id" + Held, Own(lease, ("@id", trialId), ("@pid", pid)))));
        return Checked(trialId, lease, Write(t => Execute(t, """
            UPDATE trials SET status = 'running', attempts = attempts + 1, pid = @pid, started_utc = @now, finished_utc = NULL, message = NULL
            WHERE id = @id;
            """, ("@id", trialId), ("@pid", pid), ("@now", TimeValue(DateTime.UtcNow)))));
    }

    public bool RecordEpoch(string trialId, EpochMetrics epoch, TrialLease? lease = null)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        return Checked(trialId, lease, Write(t =>
        {
            // The trial row first: when the lease is lost nothing is written, the epoch included.
            int changed = Execute(t, """
                UPDATE trials SET epochs_completed = CASE WHEN epochs_completed > @epoch THEN epochs_completed ELSE @epoch END WHERE id = @id
                """ + (lease is null ? "" : Held), Own(lease, ("@id", trialId), ("@epoch", (long)epoch.Epoch)));
            if (changed > 0) InsertEpoch(t, trialId, epoch);
            return changed;
        }));
    }

    public bool Finish(string trialId, RunOutcome outcome, TrialLease? lease = null)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var r = outcome.Result;
        var epochs = outcome.Epochs;
        // The columns queries sort and filter on, taken from the summary (or, for a run killed before it wrote one, from its epochs).
        var final = r?.Final ?? (epochs.Count > 0 ? epochs[^1] : null);
        var best = r?.Best ?? (EpochMetrics.BestOf(epochs) is { ValLoss: double bv } b ? new BestEpoch(b.Epoch, bv) : null);
        int epochsCompleted = Math.Max(r?.EpochsCompleted ?? 0, epochs.Count > 0 ? epochs[^1].Epoch : 0);
        string? summaryJson = r is null ? null : System.Text.Json.JsonSerializer.Serialize(r, ScaleLab.Core.Json.ScaleLabJson.Compact);
        return Checked(trialId, lease, Write(t =>
        {
            int changed = Execute(t, """
                UPDATE trials SET status = @status, message = @message, pid = NULL, finished_utc = @now, lease_expires_utc = NULL,
                    parameters = @parameters, epochs_completed = @epochs, steps = @steps, samples_seen = @samples,
                    training_flops = @flops, step_seconds_mean = @step, train_seconds = @train, peak_rss_bytes = @rss,
                    final_train_loss = @ftl, final_val_loss = @fvl, final_val_accuracy = @fva, best_epoch = @be,
                    best_val_loss = @bvl, test_loss = @tl, test_accuracy = @ta, summary_json = @summary
                WHERE id = @id
                """ + (lease is null ? "" : Held), Own(lease, ("@id", trialId), ("@status", outcome.Status.ToText()), ("@message", outcome.Message),
                ("@now", TimeValue(DateTime.UtcNow)), ("@parameters", r?.Parameters), ("@epochs", (long)epochsCompleted),
                ("@steps", r?.Steps), ("@samples", (double?)r?.SamplesSeen), ("@flops", r?.TrainingFlops), ("@step", r?.StepSecondsMean),
                ("@train", r?.TrainSeconds), ("@rss", r?.PeakRssBytes), ("@ftl", final?.TrainLoss),
                ("@fvl", final?.ValLoss), ("@fva", final?.ValAccuracy), ("@be", (long?)best?.Epoch),
                ("@bvl", best?.ValLoss), ("@tl", r?.Test?.Loss), ("@ta", r?.Test?.Accuracy), ("@summary", summaryJson)));
            if (changed == 0) return 0;
            Execute(t, "DELETE FROM epochs WHERE trial_id = @id;", ("@id", trialId));
            foreach (var e in epochs) InsertEpoch(t, trialId, e);
            return changed;
        }));
    }

    public bool MarkFailed(string trialId, string message, TrialLease? lease = null) => Checked(trialId, lease, Write(t => Execute(t,
        "UPDATE trials SET status = 'failed', message = @message, pid = NULL, finished_utc = @now, lease_expires_utc = NULL WHERE id = @id"
        + (lease is null ? "" : Held), Own(lease, ("@id", trialId), ("@message", message), ("@now", TimeValue(DateTime.UtcNow))))));

    public bool MarkQueued(string trialId, string message, TrialLease? lease = null) => Checked(trialId, lease, Write(t => Execute(t,
        "UPDATE trials SET status = 'queued', message = @message, pid = NULL, lease_expires_utc = NULL WHERE id = @id"
        + (lease is null ? "" : Held), Own(lease, ("@id", trialId), ("@message", message)))));

    /// <summary>The condition a leased write adds: the trial is still running under this worker's claim of this attempt.</summary>
    private const string Held = " AND status = 'running' AND worker = @worker AND attempts = @attempt;";

    private static (string Name, object? Value)[] Own(TrialLease? lease, params (string Name, object? Value)[] parameters) =>
        lease is null ? parameters : [.. parameters, ("@worker", lease.Worker), ("@attempt", (long)lease.Attempt)];

    /// <summary>Without a lease, a trial that matched nothing does not exist; with one, it was claimed by another worker.</summary>
    private bool Checked(string trialId, TrialLease? lease, int changed)
    {
        if (changed > 0) return true;
        if (lease is null) throw new StoreException($"{Location}: no trial with id '{trialId}'");
        return false;
    }

    private static void InsertEpoch(DbTransaction t, string trialId, EpochMetrics e) => Execute(t, """
        INSERT INTO epochs (trial_id, epoch, step, train_loss, train_accuracy, val_loss, val_accuracy, lr, epoch_seconds, samples_per_second)
        VALUES (@id, @epoch, @step, @tl, @ta, @vl, @va, @lr, @seconds, @rate)
        ON CONFLICT (trial_id, epoch) DO UPDATE SET step = excluded.step, train_loss = excluded.train_loss,
            train_accuracy = excluded.train_accuracy, val_loss = excluded.val_loss, val_accuracy = excluded.val_accuracy,
            lr = excluded.lr, epoch_seconds = excluded.epoch_seconds, samples_per_second = excluded.samples_per_second;
        """, ("@id", trialId), ("@epoch", (long)e.Epoch), ("@step", e.Step), ("@tl", e.TrainLoss), ("@ta", e.TrainAccuracy),
        ("@vl", e.ValLoss), ("@va", e.ValAccuracy), ("@lr", e.Lr), ("@seconds", e.EpochSeconds), ("@rate", e.SamplesPerSecond));

    /// <summary>Runs <paramref name="work"/> in one write transaction, committed only when it returns.</summary>
    protected T Write<T>(Func<DbTransaction, T> work)
    {
        try
        {
            using var connection = Connect();
            using var transaction = BeginWrite(connection);
            var result = work(transaction);
            transaction.Commit();
            return result;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Fault(ex);
        }
    }

    protected static int Execute(DbTransaction t, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(t.Connection!, sql, parameters);
        command.Transaction = t;
        return command.ExecuteNonQuery();
    }

    protected static object? Scalar(DbTransaction t, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(t.Connection!, sql, parameters);
        command.Transaction = t;
        return command.ExecuteScalar();
    }

    protected static DbCommand Command(DbConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
