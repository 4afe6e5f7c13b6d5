using Microsoft.Data.Sqlite;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Experiments.Tests;

/// <summary>What only the SQLite store does: its file, WAL mode, user_version migrations, and many writers on one file.</summary>
public sealed class SqliteResultsStoreTests
{
    private static TrialPlanRow Row(string id, int index) =>
        new(id, index, $"width={index}", "{\"width\":" + index + "}", "{\"name\":\"m\"}", "{\"epochs\":2}", 1000L * (index + 1), 2000L * (index + 1), "/runs/" + id);

    [Fact]
    public void Open_UsesWalModeAndSchemaVersion3()
    {
        using var dir = new TempDirectory();
        var store = SqliteResultsStore.Open(dir.Path);
        using var connection = new SqliteConnection($"Data Source={store.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; ";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "PRAGMA user_version;";
        Assert.Equal(3L, command.ExecuteScalar());
    }

    [Fact]
    public void Open_MigratesAVersion1StoreKeepingItsTrials()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, SqliteResultsStore.FileName);
        var store = SqliteResultsStore.Open(dir.Path);
        long sweep = store.EnsureSweep("s", null, "{}");
        store.AddTrials(sweep, [Row("aaaa", 0)]);
        store.MarkFailed("aaaa", "boom");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            // Back to what ScaleLab wrote before the work queue: schema 1, without the queue's columns.
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                DROP INDEX trials_by_status; ALTER TABLE sweeps DROP COLUMN directory; ALTER TABLE sweeps DROP COLUMN max_attempts;
                ALTER TABLE trials DROP COLUMN worker; ALTER TABLE trials DROP COLUMN lease_expires_utc; ALTER TABLE trials DROP COLUMN summary_json;
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        var migrated = SqliteResultsStore.OpenExisting(dir.Path);

        var t = migrated.Trial("aaaa")!;
        Assert.Equal((TrialStatus.Failed, "boom", (string?)null, 2), (t.Status, t.Message, t.Worker, migrated.Sweeps().Single().MaxAttempts));
        var lease = migrated.Claim("w", TimeSpan.FromMinutes(1))!;   // failed with attempts left: the queue's columns work
        Assert.Equal(("aaaa", 1), (lease.TrialId, lease.Attempt));
    }

    /// <summary>A trial finished under schema 2 (no summary_json) reads back with the summary its columns hold.</summary>
    [Fact]
    public void Open_MigratesAVersion2StoreRebuildingResultsFromTheColumns()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, SqliteResultsStore.FileName);
        var store = SqliteResultsStore.Open(dir.Path);
        long sweep = store.EnsureSweep("s", null, "{}");
        store.AddTrials(sweep, [Row("aaaa", 0)]);
        store.MarkRunning("aaaa", 7);
        var epoch = new EpochMetrics(1, 10, 0.9, null, 0.8, 0.7, 1e-3, 1, 100);
        store.Finish("aaaa", new RunOutcome(TrialStatus.Completed, null, new RunSummary
        {
            Status = RunStatus.Completed, EpochsCompleted = 1, Steps = 10, SamplesSeen = 640, Parameters = 1234, TrainingFlops = 5e9,
            StepSecondsMean = 0.01, TrainSeconds = 0.1, PeakRssBytes = 1L << 30, Final = epoch, Best = new BestEpoch(1, 0.8),
            Test = new TestMetrics(100, 0.85, 0.69, null, 5, null, null, null),
        }, [epoch]));
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE trials DROP COLUMN summary_json; PRAGMA user_version = 2;";
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        var r = SqliteResultsStore.OpenExisting(dir.Path).Trial("aaaa")!.Result!;

        Assert.Equal((RunStatus.Completed, 1234L, 640L, 5e9, 1L << 30, new BestEpoch(1, 0.8), 0.85, 0.69),
            (r.Status, r.Parameters, r.SamplesSeen!.Value, r.TrainingFlops!.Value, r.PeakRssBytes, r.Best, r.Test!.Loss, r.Test.Accuracy!.Value));
    }

    [Fact]
    public void Should_Refuse_A_Store_With_A_Newer_Schema()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, SqliteResultsStore.FileName);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 7;";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<StoreException>(() => SqliteResultsStore.Open(dir.Path));
        Assert.Equal($"{path}: results store schema version 7 is newer than this ScaleLab understands (3); use a newer scalelab", error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Database_That_Is_Not_A_Results_Store()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, SqliteResultsStore.FileName);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE other (x INTEGER);";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<StoreException>(() => SqliteResultsStore.Open(dir.Path));
        Assert.Equal($"{path}: holds 1 tables but no ScaleLab schema version; it is not a ScaleLab results store", error.Message);
    }

    [Fact]
    public void Should_Say_How_To_Create_A_Missing_Store()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<StoreException>(() => SqliteResultsStore.OpenExisting(dir.Path));
        Assert.Equal($"{dir.Path}: no results.db here; run `scalelab sweep SWEEP.json --out {dir.Path}` first", error.Message);
    }

    [Fact]
    public void ConcurrentWriters_EightThreadsWithOwnStores_LoseNoWriteAndKeepTheFileIntact()
    {
        using var dir = new TempDirectory();
        const int writers = 8, trialsEach = 5, epochsEach = 6;
        var setup = SqliteResultsStore.Open(dir.Path);
        long sweep = setup.EnsureSweep("s", null, "{}");

        // Each writer opens its own store object (as separate processes would), registers its trials and records
        // every epoch and outcome, all at once with the others.
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            var store = SqliteResultsStore.Open(dir.Path);
            for (int t = 0; t < trialsEach; t++)
            {
                string id = $"w{w}t{t}";
                store.AddTrials(sweep, [Row(id, (w * trialsEach) + t)]);
                store.MarkRunning(id, w);
                for (int e = 1; e <= epochsEach; e++) store.RecordEpoch(id, new EpochMetrics(e, e * 10, 1.0 / e, null, 1.0 / e, null, 1e-3, 1, 1));
                store.Finish(id, new RunOutcome(TrialStatus.Completed, null, null, store.Epochs(id)));
            }
        });

        var check = SqliteResultsStore.OpenExisting(dir.Path);
        Assert.Equal(writers * trialsEach, check.Trials().Count(t => t.Status == TrialStatus.Completed && t.EpochsCompleted == epochsEach));
        Assert.Equal(writers * trialsEach * epochsEach, check.AllEpochs().Sum(e => e.Value.Count));
        using var connection = new SqliteConnection($"Data Source={check.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", command.ExecuteScalar());
    }
}
