using Microsoft.Data.Sqlite;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Experiments.Tests;

public sealed class ResultsStoreTests
{
    private static TrialPlanRow Row(string id, int index) =>
        new(id, index, $"width={index}", "{\"width\":" + index + "}", "{\"name\":\"m\"}", "{\"epochs\":2}", 1000L * (index + 1), 2000L * (index + 1), "/runs/" + id);

    [Fact]
    public void Store_RoundTripsATrialItsOutcomeAndItsEpochs()
    {
        using var dir = new TempDirectory();
        var store = ResultsStore.Open(dir.Path);
        long sweep = store.EnsureSweep("mlp-width", "widths", "{\"name\":\"mlp-width\"}");
        store.AddTrials(sweep, [Row("aaaa", 0), Row("bbbb", 1)]);
        store.MarkRunning("bbbb", 4242);
        var epochs = new[]
        {
            new EpochRecord("bbbb", 1, 100, 0.9, 0.7, 0.8, 0.72, 1e-3, 3.5, 1800),
            new EpochRecord("bbbb", 2, 200, 0.6, 0.8, 0.65, null, 1e-3, 3.25, 1900),
        };
        store.Finish("bbbb", new TrialOutcome
        {
            Status = TrialStatus.Completed, Parameters = 2000, EpochsCompleted = 2, Steps = 200, SamplesSeen = 12800, TrainingFlops = 1.5e11,
            StepSecondsMean = 0.034, TrainSeconds = 6.75, PeakRssBytes = 512L << 20, FinalTrainLoss = 0.6, FinalValLoss = 0.65,
            FinalValAccuracy = 0.8, BestEpoch = 2, BestValLoss = 0.65, TestLoss = 0.66, TestAccuracy = 0.79,
        }, epochs);

        var reopened = ResultsStore.OpenExisting(dir.Path);
        var trials = reopened.Trials();
        Assert.Equal(["aaaa", "bbbb"], trials.Select(t => t.Id));
        Assert.Equal(TrialStatus.Queued, trials[0].Status);
        var b = trials[1];
        Assert.Equal((TrialStatus.Completed, 1, (int?)null, 2000L, 4000L, 2, 0.65, 0.8, 512L << 20, 1.5e11, 12800.0),
            (b.Status, b.Attempts, b.ProcessId, b.EstimatedParameters, b.ForwardFlopsPerSample, b.EpochsCompleted, b.BestValLoss!.Value,
             b.FinalValAccuracy!.Value, b.PeakRssBytes!.Value, b.TrainingFlops!.Value, b.SamplesSeen!.Value));
        Assert.Equal("width=1", b.Label);
        Assert.NotNull(b.WallTime);
        Assert.Equal(epochs, reopened.Epochs("bbbb"));
        Assert.Equal("widths", reopened.Sweeps().Single().Description);
    }

    [Fact]
    public void AddTrials_KeepsTheStatusOfATrialAlreadyStored()
    {
        using var dir = new TempDirectory();
        var store = ResultsStore.Open(dir.Path);
        long sweep = store.EnsureSweep("s", null, "{}");
        store.AddTrials(sweep, [Row("aaaa", 0)]);
        store.MarkFailed("aaaa", "boom");
        store.AddTrials(sweep, [Row("aaaa", 3)]);

        var t = store.Trial("aaaa")!;
        Assert.Equal((TrialStatus.Failed, "boom", 3), (t.Status, t.Message, t.Index));
    }

    [Fact]
    public void Open_UsesWalModeAndSchemaVersion1()
    {
        using var dir = new TempDirectory();
        var store = ResultsStore.Open(dir.Path);
        using var connection = new SqliteConnection($"Data Source={store.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; ";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "PRAGMA user_version;";
        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Fact]
    public void Should_Refuse_A_Store_With_A_Newer_Schema()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, ResultsStore.FileName);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 7;";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<StoreException>(() => ResultsStore.Open(dir.Path));
        Assert.Equal($"{path}: results store schema version 7 is newer than this ScaleLab understands (1); use a newer scalelab", error.Message);
    }

    [Fact]
    public void Should_Refuse_A_Database_That_Is_Not_A_Results_Store()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, ResultsStore.FileName);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE other (x INTEGER);";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<StoreException>(() => ResultsStore.Open(dir.Path));
        Assert.Equal($"{path}: holds 1 tables but no ScaleLab schema version; it is not a ScaleLab results store", error.Message);
    }

    [Fact]
    public void Should_Say_How_To_Create_A_Missing_Store()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<StoreException>(() => ResultsStore.OpenExisting(dir.Path));
        Assert.Equal($"{dir.Path}: no results.db here; run `scalelab sweep SWEEP.json --out {dir.Path}` first", error.Message);
    }

    [Fact]
    public void ConcurrentWriters_EightThreadsWithOwnStores_LoseNoWriteAndKeepTheFileIntact()
    {
        using var dir = new TempDirectory();
        const int writers = 8, trialsEach = 5, epochsEach = 6;
        var setup = ResultsStore.Open(dir.Path);
        long sweep = setup.EnsureSweep("s", null, "{}");

        // Each writer opens its own store object (as separate processes would), registers its trials and records
        // every epoch and outcome, all at once with the others.
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            var store = ResultsStore.Open(dir.Path);
            for (int t = 0; t < trialsEach; t++)
            {
                string id = $"w{w}t{t}";
                store.AddTrials(sweep, [Row(id, (w * trialsEach) + t)]);
                store.MarkRunning(id, w);
                for (int e = 1; e <= epochsEach; e++) store.RecordEpoch(new EpochRecord(id, e, e * 10, 1.0 / e, null, 1.0 / e, null, 1e-3, 1, 1));
                store.Finish(id, new TrialOutcome { Status = TrialStatus.Completed, EpochsCompleted = epochsEach, BestValLoss = 1.0 / epochsEach },
                    store.Epochs(id));
            }
        });

        var check = ResultsStore.OpenExisting(dir.Path);
        Assert.Equal(writers * trialsEach, check.Trials().Count(t => t.Status == TrialStatus.Completed && t.EpochsCompleted == epochsEach));
        Assert.Equal(writers * trialsEach * epochsEach, check.AllEpochs().Sum(e => e.Value.Count));
        using var connection = new SqliteConnection($"Data Source={check.Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", command.ExecuteScalar());
    }
}
