using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Reports.Tests;

/// <summary>
/// A width sweep of an MLP 784-h-10 written to disk the way `scalelab sweep` and `train` leave it: results.db (through
/// the real SqliteResultsStore) or run directories (summary.json + metrics.jsonl + spec.json + config.json). The losses follow
/// L = 0.3 + 40·N^−0.4 decaying over epochs, so the fit has a real law to find.
/// </summary>
internal static class SweepFixture
{
    public static readonly int[] Widths = [8, 16, 32, 64, 128, 256];

    public static string NewDirectory(string name) => Path.Combine(Path.GetTempPath(), "scalelab-reports-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);

    public static long Parameters(int h) => (784 * h) + h + (h * 10) + 10;

    /// <summary>The law times a fixed ±1.5 % wobble, so the fit has residuals like a real sweep.</summary>
    public static double FinalLoss(int h) => (0.3 + (40 * Math.Pow(Parameters(h), -0.4))) * (1 + (0.015 * Math.Sin(h)));

    public static string Spec(int h) => $$"""
        {"name": "mlp-{{h}}", "task": "classification", "input": [1, 28, 28],
         "layers": [{"type": "flatten"}, {"type": "linear", "units": {{h}}}, {"type": "relu"}, {"type": "linear", "units": 10}]}
        """;

    public const string Config = """{"epochs": 4, "batch_size": 64, "optimizer": "adam", "lr": 0.001}""";

    public static IEnumerable<(int Epoch, double TrainLoss, double ValLoss, double ValAccuracy)> Curve(int h)
    {
        for (int e = 1; e <= 4; e++)
        {
            double val = FinalLoss(h) * (1 + (0.3 / e)) - (0.3 * FinalLoss(h) / 4);
            yield return (e, val * 0.9, val, Math.Exp(-1.6 * val));
        }
    }

    /// <summary>A sweep stored in results.db, six completed trials plus one failed.</summary>
    public static string Store()
    {
        string dir = NewDirectory("store");
        var store = SqliteResultsStore.Open(dir);
        long sweep = store.EnsureSweep("mlp-width", "MLP width sweep", "{}");
        store.AddTrials(sweep, Widths.Select((h, i) => new TrialPlanRow($"w{h}", i, $"h={h}", $$"""{"width": {{h}}}""", Spec(h), Config,
            Parameters(h), 2 * Parameters(h), Path.Combine(dir, "trials", $"w{h}"))).Append(
            new TrialPlanRow("broken", 99, "broken", """{"width": 512}""", Spec(512), Config, Parameters(512), 2 * Parameters(512), Path.Combine(dir, "trials", "broken"))));
        foreach (int h in Widths)
        {
            var epochs = Curve(h).Select(c => new EpochMetrics(c.Epoch, c.Epoch * 844L, c.TrainLoss, c.ValAccuracy + 0.01, c.ValLoss, c.ValAccuracy, 1e-3, 2.0, 27_000)).ToList();
            var best = epochs.MinBy(e => e.ValLoss)!;
            store.Finish($"w{h}", new RunOutcome(TrialStatus.Completed, null, new RunSummary
            {
                Status = RunStatus.Completed, Parameters = Parameters(h), EpochsCompleted = 4, Steps = 4 * 844, SamplesSeen = 4 * 54_000,
                TrainingFlops = 3.0 * 2 * Parameters(h) * 4 * 54_000, StepSecondsMean = 1e-4 * Math.Sqrt(h), TrainSeconds = 8,
                PeakRssBytes = 300_000_000 + (h * 100_000L), Final = epochs[^1], Best = new BestEpoch(best.Epoch, best.ValLoss!.Value),
                Test = new TestMetrics(10_000, best.ValLoss!.Value, best.ValAccuracy! - 0.005, null, 5, null, null, null),
            }, epochs));
        }
        store.MarkFailed("broken", "diverged");
        return dir;
    }

    /// <summary>The same trials as run directories under DIR/trials/ (no results.db).</summary>
    public static string RunDirectories()
    {
        string dir = NewDirectory("runs");
        foreach (int h in Widths) WriteRun(Path.Combine(dir, "trials", $"w{h}"), h);
        return dir;
    }

    public static void WriteRun(string run, int h)
    {
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "spec.json"), Spec(h));
        File.WriteAllText(Path.Combine(run, "config.json"), Config);
        var lines = Curve(h).Select(c => string.Create(CultureInfo.InvariantCulture,
            $$"""{"epoch":{{c.Epoch}},"step":{{c.Epoch * 844}},"train_loss":{{c.TrainLoss}},"train_accuracy":{{c.ValAccuracy + 0.01}},"val_loss":{{c.ValLoss}},"val_accuracy":{{c.ValAccuracy}},"lr":0.001,"epoch_seconds":2.0,"samples_per_second":27000}"""));
        File.WriteAllLines(Path.Combine(run, "metrics.jsonl"), lines);
        var last = Curve(h).Last();
        File.WriteAllText(Path.Combine(run, "summary.json"), string.Create(CultureInfo.InvariantCulture, $$"""
            {"status": "completed", "epochs_completed": 4, "steps": 3376, "parameters": {{Parameters(h)}}, "estimated_parameters": {{Parameters(h)}},
             "forward_flops_per_sample": {{2 * Parameters(h)}}, "training_flops": {{3.0 * 2 * Parameters(h) * 4 * 54000}}, "step_seconds_mean": 0.001,
             "train_seconds": 8, "peak_rss_bytes": 300000000,
             "final": {"epoch": 4, "step": 3376, "train_loss": {{last.TrainLoss}}, "val_loss": {{last.ValLoss}}, "val_accuracy": {{last.ValAccuracy}}, "lr": 0.001, "epoch_seconds": 2, "samples_per_second": 27000},
             "best": {"epoch": 4, "val_loss": {{last.ValLoss}} } }
            """));
    }

    public static void WriteConfusion(string run)
    {
        var rows = Enumerable.Range(0, 10).Select(t => "[" + string.Join(",", Enumerable.Range(0, 10).Select(p => p == t ? 850 + (t * 10) : (t + p) % 7 == 0 ? 40 : 3)) + "]");
        File.WriteAllText(Path.Combine(run, "confusion.json"),
            "{\"labels\": [\"T-shirt/top\",\"Trouser\",\"Pullover\",\"Dress\",\"Coat\",\"Sandal\",\"Shirt\",\"Sneaker\",\"Bag\",\"Ankle boot\"], \"matrix\": [" + string.Join(",", rows) + "]}");
    }
}
