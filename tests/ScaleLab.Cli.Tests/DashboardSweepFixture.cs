using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// A width sweep of an MLP 784-h-10 in a real results.db (SqliteResultsStore), four completed trials whose best
/// validation losses follow L = 0.3 + 40·N^−0.4, so the dashboard has a law and a band to fit. The first trial's run
/// directory holds a steps.jsonl of <see cref="StepRecords"/> records; the others have none on this machine.
/// </summary>
internal static class DashboardSweepFixture
{
    public static readonly int[] Widths = [8, 32, 128, 512];

    public const int StepRecords = 6;

    public static long Parameters(int h) => (784 * h) + h + (h * 10) + 10;

    public static double TrainingFlops(int h) => 3.0 * 2 * Parameters(h) * 2 * 54_000;

    private static double Loss(int h, int epoch) => (0.3 + (40 * Math.Pow(Parameters(h), -0.4))) * (1 + (0.2 / epoch)) * (1 + (0.01 * Math.Sin(h)));

    private static string Spec(int h) => $$"""
        {"name": "mlp-{{h}}", "task": "classification", "input": [1, 28, 28],
         "layers": [{"type": "flatten"}, {"type": "linear", "units": {{h}}}, {"type": "relu"}, {"type": "linear", "units": 10}]}
        """;

    /// <summary>Writes the sweep into <paramref name="directory"/> (its results.db and trials/) and returns the directory.</summary>
    public static string Write(string directory) => Write(directory, SqliteResultsStore.Open(directory));

    /// <summary>Writes the sweep into <paramref name="store"/>, its run directories under <paramref name="directory"/>.</summary>
    public static string Write(string directory, SqlResultsStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        long sweep = store.EnsureSweep("mlp-width", "MLP width sweep", "{}", directory);
        const string config = """{"epochs": 2, "batch_size": 64, "optimizer": "adam", "lr": 0.001}""";
        store.AddTrials(sweep, Widths.Select((h, i) => new TrialPlanRow($"w{h}", i, $"h={h}", $$"""{"width": {{h}}}""", Spec(h), config,
            Parameters(h), 2 * Parameters(h), Path.Combine(directory, "trials", $"w{h}"))));
        foreach (int h in Widths)
        {
            var epochs = Enumerable.Range(1, 2).Select(e => new EpochMetrics(e, e * 844L, Loss(h, e) * 0.9, 0.9, Loss(h, e), 0.9, 1e-3, 2.0, 27_000)).ToList();
            store.Finish($"w{h}", new RunOutcome(TrialStatus.Completed, null, new RunSummary
            {
                Status = RunStatus.Completed, Parameters = Parameters(h), EpochsCompleted = 2, Steps = 2 * 844, SamplesSeen = 2 * 54_000,
                TrainingFlops = TrainingFlops(h), StepSecondsMean = 1e-3, TrainSeconds = 4, PeakRssBytes = 300_000_000,
                Final = epochs[^1], Best = new BestEpoch(2, epochs[^1].ValLoss!.Value),
            }, epochs));
        }
        var log = new MetricsLog(new RunFiles(Path.Combine(directory, "trials", $"w{Widths[0]}")));
        Directory.CreateDirectory(Path.Combine(directory, "trials", $"w{Widths[0]}"));
        for (int s = 1; s <= StepRecords; s++) log.AppendStep(new StepMetrics(s <= 3 ? 1 : 2, s * 281L, s / 3.0, 2.5 - (0.2 * s), 1e-3, 27_000));
        return directory;
    }
}
