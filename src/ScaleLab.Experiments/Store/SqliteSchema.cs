using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ScaleLab.Experiments.Store;

/// <summary>
/// The SQLite schema, versioned in SQLite's user_version: 0 is a new file, <see cref="Version"/> is current, an older
/// version is migrated forward step by step in one transaction, anything higher was written by a newer ScaleLab and
/// is refused rather than misread. Times are ISO-8601 UTC text; numbers are stored raw (counts, bytes, seconds).
/// The same tables and columns, version for version, are in <see cref="PostgresSchema"/>.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>
    /// 1: sweeps, trials, epochs. 2: the work queue (a sweep's directory and attempt limit, a trial's worker and lease).
    /// 3: the trial's whole summary.json (summary_json), beside the columns that queries sort and filter on.
    /// </summary>
    public const int Version = 3;

    private const string CreateV1 = """
        CREATE TABLE sweeps (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            name         TEXT NOT NULL UNIQUE,
            description  TEXT,
            spec_json    TEXT NOT NULL,
            created_utc  TEXT NOT NULL,
            updated_utc  TEXT NOT NULL
        );
        CREATE TABLE trials (
            id                        TEXT PRIMARY KEY,
            sweep_id                  INTEGER NOT NULL REFERENCES sweeps(id),
            idx                       INTEGER NOT NULL,
            label                     TEXT NOT NULL,
            axes_json                 TEXT NOT NULL,
            spec_json                 TEXT NOT NULL,
            config_json               TEXT NOT NULL,
            status                    TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','stopped_early')),
            message                   TEXT,
            attempts                  INTEGER NOT NULL DEFAULT 0,
            pid                       INTEGER,
            run_directory             TEXT NOT NULL,
            estimated_parameters      INTEGER NOT NULL,
            forward_flops_per_sample  INTEGER NOT NULL,
            parameters                INTEGER,
            epochs_completed          INTEGER NOT NULL DEFAULT 0,
            steps                     INTEGER,
            samples_seen              REAL,
            training_flops            REAL,
            step_seconds_mean         REAL,
            train_seconds             REAL,
            peak_rss_bytes            INTEGER,
            final_train_loss          REAL,
            final_val_loss            REAL,
            final_val_accuracy        REAL,
            best_epoch                INTEGER,
            best_val_loss             REAL,
            test_loss                 REAL,
            test_accuracy             REAL,
            queued_utc                TEXT NOT NULL,
            started_utc               TEXT,
            finished_utc              TEXT
        );
        CREATE INDEX trials_by_sweep ON trials(sweep_id, idx);
        CREATE TABLE epochs (
            trial_id            TEXT NOT NULL REFERENCES trials(id),
            epoch               INTEGER NOT NULL,
            step                INTEGER NOT NULL,
            train_loss          REAL NOT NULL,
            train_accuracy      REAL,
            val_loss            REAL,
            val_accuracy        REAL,
            lr                  REAL NOT NULL,
            epoch_seconds       REAL NOT NULL,
            samples_per_second  REAL NOT NULL,
            PRIMARY KEY (trial_id, epoch)
        );
        """;

    private const string MigrateToV2 = """
        ALTER TABLE sweeps ADD COLUMN directory TEXT;
        ALTER TABLE sweeps ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 2;
        ALTER TABLE trials ADD COLUMN worker TEXT;
        ALTER TABLE trials ADD COLUMN lease_expires_utc TEXT;
        CREATE INDEX trials_by_status ON trials(status, sweep_id, idx);
        """;

    private const string MigrateToV3 = "ALTER TABLE trials ADD COLUMN summary_json TEXT;";

    /// <summary>Creates the schema in a new file, migrates an older one, accepts the current one, refuses a newer one.</summary>
    public static void Ensure(SqliteConnection connection, string path)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        int version = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > Version)
            throw new StoreException($"{path}: results store schema version {version} is newer than this ScaleLab understands ({Version}); use a newer scalelab");
        if (version == Version)
        {
            transaction.Commit();
            return;
        }
        if (version == 0)
        {
            long tables = Convert.ToInt64(Scalar(connection, transaction, "SELECT count(*) FROM sqlite_master WHERE type = 'table';"), CultureInfo.InvariantCulture);
            if (tables > 0)
                throw new StoreException($"{path}: holds {tables} tables but no ScaleLab schema version; it is not a ScaleLab results store");
            Run(connection, transaction, CreateV1);
        }
        if (version < 2) Run(connection, transaction, MigrateToV2);
        if (version < 3) Run(connection, transaction, MigrateToV3);
        Run(connection, transaction, $"PRAGMA user_version = {Version.ToString(CultureInfo.InvariantCulture)};");
        transaction.Commit();
    }

    private static void Run(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
