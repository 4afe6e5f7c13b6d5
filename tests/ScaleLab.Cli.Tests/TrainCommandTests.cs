using System.Diagnostics;
using System.Text.Json;
using ScaleLab.Core.Runs;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab train` and `scalelab eval` end to end through CliApp, on the shipped examples and the embedded data.</summary>
public sealed class TrainCommandTests
{
    private static string Embedded => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");

    /// <summary>examples/train/NAME in the repository this test was compiled from (builds may sit outside it, e.g. --artifacts-path).</summary>
    private static string Example(string name, [System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(thisFile)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleLab.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "examples", "train", name);
    }

    private static string NewRun() => Path.Combine(Path.GetTempPath(), "scalelab-cli-train-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Train_LinearRegressionExample_CompletesWithSummaryTableAndRunFiles()
    {
        string dir = NewRun();
        var (code, output, error) = EstimateCommandTests.Run("train", Example("linear-regression.json"), "--epochs", "3", "--out", dir, "--progress", "plain", "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("linear-regression-3: completed", output, StringComparison.Ordinal);
        Assert.Contains("parameters (estimated)", output, StringComparison.Ordinal);
        Assert.Contains("test R²", output, StringComparison.Ordinal);
        foreach (string file in (string[])["spec.json", "config.json", "run.json", "metrics.csv", "metrics.jsonl", "summary.json", "checkpoints/last.safetensors", "checkpoints/best.safetensors", "checkpoints/last.json"])
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        }

        Assert.Equal(4, File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Length);   // header + 3 epochs
    }

    [Fact]
    public void Train_JsonProgress_PrintsOneEventPerLineEndingWithDone()
    {
        string dir = NewRun();
        var (code, output, error) = EstimateCommandTests.Run("train", "keras-mnist-cnn", "--data", Embedded, "--limit", "256", "--epochs", "2", "--batch", "64",
            "--out", dir, "--progress", "json", "--threads", "1");
        Assert.True(code == 0, error);
        var events = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal("start", events[0].GetProperty("event").GetString());
        Assert.Equal(2, events.Count(e => e.GetProperty("event").GetString() == "epoch"));
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "step" && e.GetProperty("loss").GetDouble() > 0);
        var done = events[^1];
        Assert.Equal("done", done.GetProperty("event").GetString());
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(93_322, done.GetProperty("parameters").GetInt64());
    }

    /// <summary>Issue 9: train takes the optimizers estimate names; sgd_momentum is sgd with momentum 0.9 unless the config gives one.</summary>
    [Theory]
    [InlineData("sgd_momentum")]
    [InlineData("rmsprop")]
    [InlineData("rmsprop_momentum")]
    public void Train_TakesTheOptimizersEstimateNames(string optimizer)
    {
        string dir = NewRun();
        var (code, _, error) = EstimateCommandTests.Run("train", Example("linear-regression.json"), "--optimizer", optimizer, "--lr", "0.001", "--epochs", "1", "--out", dir, "--progress", "plain", "--threads", "1");
        Assert.True(code == 0, error);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json")));
        Assert.Equal(optimizer, config.RootElement.GetProperty("optimizer").GetString());
    }

    [Fact]
    public void Train_UnknownOptimizer_SaysTheSameAsEstimate()
    {
        var (code, _, error) = EstimateCommandTests.Run("train", Example("linear-regression.json"), "--optimizer", "lion", "--out", NewRun(), "--progress", "plain");
        Assert.Equal(1, code);
        Assert.Equal("error: --optimizer 'lion' is not an optimizer; use sgd, sgd_momentum, adam, adamw, adam8bit, rmsprop or rmsprop_momentum", error.Trim());
    }

    [Fact]
    public void Train_ConfigWithABadDataName_IsOneLineNamingTheFileFieldAndValue()
    {
        string dir = NewRun();
        Directory.CreateDirectory(dir);
        string config = Path.Combine(dir, "bad-data.json");
        File.WriteAllText(config, """{"model": "mlp-784-1000-500-250", "epochs": 1, "data": {"name": "svhn"}}""");
        var (code, _, error) = EstimateCommandTests.Run("train", config, "--out", Path.Combine(dir, "run"), "--progress", "plain");
        Assert.Equal(1, code);
        Assert.Equal($"error: {config}: not a valid training config at $.data.name: unknown data set 'svhn': expected fashion-mnist, mnist, kmnist, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)", error.Trim());
    }

    [Fact]
    public void Train_UnknownData_ListsTheValidForms()
    {
        var (code, _, error) = EstimateCommandTests.Run("train", "lenet-300-100", "--data", "cifar10", "--out", NewRun(), "--progress", "plain");
        Assert.Equal(1, code);
        Assert.Equal("error: cifar10: unknown data set 'cifar10': expected fashion-mnist, mnist, kmnist, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)", error.Trim());
    }

    [Fact]
    public void Train_HugeLearningRate_ExitsOneWithTheDivergenceMessage()
    {
        var (code, _, error) = EstimateCommandTests.Run("train", Example("linear-regression.json"), "--lr", "1e9", "--epochs", "2", "--out", NewRun(), "--progress", "plain");
        Assert.Equal(1, code);
        Assert.Matches(@"^error: diverged at epoch 1 step \d+: loss (NaN|\+Inf); no checkpoint was written \(it diverged before the first epoch ended\)\. Lower the learning rate or add grad_clip\.", error);
    }

    [Fact]
    public void Train_ResumeWithoutOut_SaysWhatIsMissing()
    {
        var (code, _, error) = EstimateCommandTests.Run("train", "keras-mnist-cnn", "--resume");
        Assert.Equal(1, code);
        Assert.Equal("error: --resume needs --out DIR, the run directory to continue", error.Trim());
    }

    [Fact]
    public void Train_ThenResumeWithMoreEpochs_ContinuesFromTheCheckpoint()
    {
        string dir = NewRun();
        var first = EstimateCommandTests.Run("train", "lenet-300-100", "--data", Embedded, "--limit", "256", "--epochs", "1", "--out", dir, "--progress", "plain", "--threads", "1");
        Assert.True(first.Code == 0, first.Err);
        var (code, output, error) = EstimateCommandTests.Run("train", "lenet-300-100", "--resume", "--epochs", "2", "--out", dir, "--progress", "plain", "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Contains("resuming", output, StringComparison.Ordinal);
        Assert.Equal([1, 2], File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()));
    }

    /// <summary>Runs `scalelab` as a child process; stops it (kills the whole tree) once <paramref name="killAfter"/> matches a stdout line.</summary>
    private static (int ExitCode, bool Killed) RunChild(IEnumerable<string> args, Func<string, bool>? killAfter = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "scalelab.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        bool killed = false;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (killAfter is null || !killAfter(line)) continue;
            process.Kill(entireProcessTree: true);
            killed = true;
            break;
        }

        process.WaitForExit();
        return (process.ExitCode, killed);
    }

    private static List<(int, double, double)> Losses(string dir) => [.. File.ReadAllLines(Path.Combine(dir, "metrics.jsonl"))
        .Select(l => JsonDocument.Parse(l).RootElement)
        .Select(e => (e.GetProperty("epoch").GetInt32(), e.GetProperty("train_loss").GetDouble(), e.GetProperty("val_loss").GetDouble()))];

    [Fact]
    public void Train_ChildProcessKilledInEpochTwo_ResumesToTheUninterruptedLosses()
    {
        string[] common = ["train", "lenet-300-100", "--data", Embedded, "--limit", "1024", "--epochs", "3", "--batch", "16", "--seed", "3", "--threads", "1", "--progress", "json"];
        string whole = NewRun(), killed = NewRun();
        Assert.Equal(0, RunChild([.. common, "--out", whole]).ExitCode);

        // The epoch-1 event comes after epoch 1's checkpoint: killing there lands in epoch 2 (or in its checkpoint write).
        var (_, wasKilled) = RunChild([.. common, "--out", killed], line => line.Contains("\"event\":\"epoch\"", StringComparison.Ordinal));
        Assert.True(wasKilled);
        Assert.True(Losses(killed).Count < 3);

        Assert.Equal(0, RunChild(["train", "lenet-300-100", "--resume", "--out", killed, "--threads", "1", "--progress", "json"]).ExitCode);
        Assert.Equal(Losses(whole), Losses(killed));
    }

    [Fact]
    public void Eval_TrainedClassifier_PrintsPerClassMetricsAndConfusionMatrix()
    {
        string dir = NewRun();
        var train = EstimateCommandTests.Run("train", "lenet-300-100", "--data", Embedded, "--limit", "512", "--epochs", "1", "--out", dir, "--progress", "plain", "--threads", "1");
        Assert.True(train.Code == 0, train.Err);
        Assert.Contains("plots: learning-curves.png, confusion-matrix.png", train.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "confusion-matrix.png")));
        var (code, output, error) = EstimateCommandTests.Run("eval", dir, "--split", "test");
        Assert.True(code == 0, error);
        Assert.Contains("lenet-300-100 on fashion-mnist/test (test, best checkpoint)", output, StringComparison.Ordinal);
        Assert.Contains("top-5 accuracy", output, StringComparison.Ordinal);
        Assert.Contains("macro avg", output, StringComparison.Ordinal);
        Assert.Contains("weighted avg", output, StringComparison.Ordinal);
        Assert.Contains("Ankle boot", output, StringComparison.Ordinal);
        Assert.Contains("confusion matrix (rows: true class, columns: predicted)", output, StringComparison.Ordinal);
        Assert.Contains("│ samples        │    512 │", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_NotARunDirectory_SaysWhatItExpected()
    {
        string dir = NewRun();
        Directory.CreateDirectory(dir);
        var (code, _, error) = EstimateCommandTests.Run("eval", dir);
        Assert.Equal(1, code);
        Assert.Equal($"error: {dir}: is not a run directory (expected spec.json and config.json, written by `scalelab train --out`)", error.Trim());
    }
}
