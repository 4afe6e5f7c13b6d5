using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;
using ScaleLab.Fuzz;
using Xunit.Abstractions;

namespace ScaleLab.Experiments.Tests;

/// <summary>Sweep files and results stores through <see cref="FuzzHarness"/>: read (and expanded) or refused, bounded.</summary>
public sealed class InputFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Fuzz_SweepSpec_ParsesAndExpandsOrRefuses()
    {
        const string seed = """
            {"name": "w", "model": "mlp-784-1000-500-250", "repeats": 2,
             "training": {"epochs": 1, "batch_size": 64, "data": {"name": "fashion-mnist", "limit": 100}},
             "axes": {"width": [0.5, 1], "lr": [0.001, 0.01]}}
            """;
        int n = FuzzHarness.RunText("sweep", seed, bytes =>
            SweepExpansion.Expand(SweepSpecJson.Parse(Core.StrictText.Decode(bytes, "sweep.json"), "sweep.json", Path.GetTempPath())), 1500);
        output.WriteLine($"sweep: {n} cases");
    }

    [Fact]
    public void Fuzz_ResultsStore_OpensAndReadsOrRefuses()
    {
        using var dir = new TempDirectory();
        var store = SqliteResultsStore.Open(dir.Path);
        long sweep = store.EnsureSweep("s", "d", "{}");
        store.AddTrials(sweep, [new TrialPlanRow("aaaa", 0, "width=1", "{\"width\":1}", "{\"name\":\"m\"}", "{\"epochs\":1}", 10, 20, "/runs/a")]);
        // Checkpoint the WAL into the main file, so the seed is one self-contained database.
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.Path}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;";
            cmd.ExecuteNonQuery();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        byte[] seed = File.ReadAllBytes(store.Path);
        string path = Path.Combine(dir.Path, "fuzz.db");
        int n = FuzzHarness.Run("results-store", seed, bytes =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (string f in new[] { path, path + "-wal", path + "-shm" }) File.Delete(f);
            File.WriteAllBytes(path, bytes);
            var fuzzed = SqliteResultsStore.OpenFile(path);
            _ = fuzzed.Sweeps();
            foreach (var t in fuzzed.Trials()) _ = fuzzed.Epochs(t.Id);
        }, 150);
        output.WriteLine($"results-store: {n} cases");
    }
}
