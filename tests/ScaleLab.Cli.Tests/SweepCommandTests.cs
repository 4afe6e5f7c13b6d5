using System.Diagnostics;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab sweep` end to end with the real CLI: each trial is a real `scalelab train` process on tiny models.</summary>
public sealed class SweepCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scalelab-sweep-" + Guid.NewGuid().ToString("N")[..10]);

    public SweepCommandTests() => Directory.CreateDirectory(_dir);

    private static string ScaleLabDll => Path.Combine(AppContext.BaseDirectory, "scalelab.dll");

    private static string Embedded => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");

    /// <summary>Four widths of a 784-16-10 MLP, one epoch on 300 samples of the embedded data: a few seconds per trial, mostly process start.</summary>
    private string WriteSweep()
    {
        string path = Path.Combine(_dir, "tiny.json");
        File.WriteAllText(path, $$$"""
            {
              "name": "tiny",
              "model": {"name": "mlp-16", "input": [1, 28, 28], "layers": [
                {"type": "flatten"}, {"type": "linear", "units": 16}, {"type": "relu"}, {"type": "linear", "units": 10}]},
              "training": {"epochs": 1, "batch_size": 50, "data": {"name": "fashion-mnist", "directory": "{{{Embedded}}}", "limit": 300}},
              "axes": {"width": [0.25, 0.5, 1, 2]}
            }
            """);
        return path;
    }

    private Process StartSweep(string sweep, string output)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])[ScaleLabDll, "sweep", sweep, "--out", output, "--workers", "1", "--threads", "1"]) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [Fact]
    public void Sweep_KilledWithSigkillMidSweep_ResumesWithoutRerunningFinishedTrials()
    {
        string sweep = WriteSweep(), output = Path.Combine(_dir, "out");

        // Given a sweep killed with SIGKILL once its first trial is recorded (the second is then running as an orphan).
        using (var first = StartSweep(sweep, output))
        {
            var clock = Stopwatch.StartNew();
            while (!Completed(output).Any())
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no trial completed within 3 minutes");
                Assert.False(first.HasExited, "the sweep ended before it could be killed");
                Thread.Sleep(100);
            }
            first.Kill();   // SIGKILL on Unix; the trial process it started is not killed with it
            first.WaitForExit();
        }
        var finishedBefore = Completed(output).ToDictionary(t => t.Id, t => File.ReadAllText(Path.Combine(t.Plan.RunDirectory, "run.json")));
        Assert.InRange(finishedBefore.Count, 1, 3);

        // When the same command runs again,
        using (var second = StartSweep(sweep, output))
        {
            Assert.True(second.WaitForExit(TimeSpan.FromMinutes(4)), "the resumed sweep did not finish within 4 minutes");
            Assert.Equal(0, second.ExitCode);
        }

        // then every trial is completed, and those finished before the kill were not run again.
        var trials = SqliteResultsStore.OpenExisting(output).Trials();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.All(trials, t => Assert.Equal(1, t.EpochsCompleted));
        foreach (var (id, runJson) in finishedBefore)
        {
            var t = trials.Single(x => x.Id == id);
            Assert.Equal(1, t.Attempts);
            Assert.Equal(runJson, File.ReadAllText(Path.Combine(t.Plan.RunDirectory, "run.json")));
        }
        Assert.Equal([3_190L, 6_370, 12_730, 25_450], trials.OrderBy(t => t.Plan.Index).Select(t => t.Plan.EstimatedParameters));
        Assert.Equal(trials.Select(t => t.Plan.EstimatedParameters), trials.Select(t => t.Result!.Parameters));

        // And `sweep status` lists them.
        var (code, text, _) = EstimateCommandTests.Run("sweep", "status", output);
        Assert.Equal(0, code);
        Assert.Contains("4 trials: 4 completed; results in " + Path.Combine(Path.GetFullPath(output), "results.db"), text, StringComparison.Ordinal);
        Assert.Contains("width=0.25", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_TrialsSharingOneHost_TrainExactlyAsATrainProcessOfTheirOwn()
    {
        string sweep = WriteSweep(), output = Path.Combine(_dir, "out");
        using (var run = StartSweep(sweep, output))
        {
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(4)), "the sweep did not finish within 4 minutes");
            Assert.Equal(0, run.ExitCode);
        }
        var trials = SqliteResultsStore.OpenExisting(output).Trials().OrderBy(t => t.Plan.Index).ToList();
        // One worker: the four trials went to one trial host, the smallest width last (most work first).
        var hosts = trials.Select(t => HostPid(new TrialPaths(output, t.Id).LogFile)).Distinct().ToList();
        Assert.Single(hosts);
        var last = new TrialPaths(Path.GetFullPath(output), trials[0].Id);

        string alone = Path.Combine(_dir, "alone");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])[ScaleLabDll, "train", last.SpecFile, "--config", last.ConfigFile, "--out", alone, "--threads", "1"]) info.ArgumentList.Add(a);
        using (var train = Process.Start(info)!)
        {
            var text = train.StandardOutput.ReadToEndAsync();
            string error = await train.StandardError.ReadToEndAsync();
            await text;
            Assert.True(train.WaitForExit(TimeSpan.FromMinutes(2)));
            Assert.True(train.ExitCode == 0, error);
        }
        // The same weights, batches and losses to the last bit: nothing of the three trials before it carried over.
        Assert.Equal(Curve(alone), Curve(last.RunDirectory));
        Assert.Equal(Curve(alone).Count, trials[0].EpochsCompleted);
    }

    private static int HostPid(string log) => int.Parse(
        System.Text.RegularExpressions.Regex.Match(File.ReadAllText(log), " pid (\\d+): ").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static List<(double, double?, double?)> Curve(string run) =>
        [.. RunReader.ReadEpochs(new RunFiles(run)).Select(e => (e.TrainLoss, e.ValLoss, e.ValAccuracy))];

    [Fact]
    public void SweepStatus_OfADirectoryWithoutResults_SaysHowToCreateThem()
    {
        var (code, _, error) = EstimateCommandTests.Run("sweep", "status", _dir);
        Assert.Equal(1, code);
        Assert.Equal($"error: {Path.GetFullPath(_dir)}: no results.db here; run `scalelab sweep SWEEP.json --out {Path.GetFullPath(_dir)}` first", error.Trim());
    }

    [Fact]
    public void Sweep_WithAnInvalidTrial_FailsBeforeRunningAnything()
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, """{"model": "lenet-300-100", "axes": {"width": [1, 0.001]}}""");
        var (code, _, error) = EstimateCommandTests.Run("sweep", path, "--out", Path.Combine(_dir, "out"));
        Assert.Equal(1, code);
        Assert.Equal($"error: {path}: trial 1 (width=0.001): layers[1] (linear): 300 × width 0.001 = 0.3 rounds to 0; the smallest width that keeps every layer is 0.005", error.Trim());
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    private static IEnumerable<TrialRecord> Completed(string output)
    {
        if (!File.Exists(Path.Combine(output, SqliteResultsStore.FileName))) return [];
        try
        {
            return SqliteResultsStore.OpenExisting(output).Trials().Where(t => t.Status == TrialStatus.Completed).ToList();
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return [];   // the file is being created
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
