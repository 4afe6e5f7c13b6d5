namespace ScaleLab.Cli.Tests;

/// <summary>Faults of the world through the CLI (issue 13): one line naming the path and what to do, exit 1, nothing half-written.</summary>
public sealed class HostileCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    private static string TempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"scalelab-hostile-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public void Sweep_OutThatIsAFile_IsOneLineExitOne()
    {
        string file = Path.GetTempFileName();
        try
        {
            var (code, _, error) = Run("sweep", Path.Combine(RepoRoot(), "examples", "sweeps", "mlp-width.json"), "--out", file);
            Assert.Equal(1, code);
            Assert.Equal($"error: --out {file}: is a file; give a folder (it will be created if missing)", error.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void SweepStatus_OnATruncatedResultsStore_SaysItIsCorrupt()
    {
        string folder = TempFolder();
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "results.db"), "SQLite format 3\0 truncated"u8.ToArray());
            var (code, _, error) = Run("sweep", "status", folder);
            Assert.Equal(1, code);
            Assert.Equal($"error: {Path.Combine(folder, "results.db")}: is not a readable results store (truncated or corrupt); move it aside and run the sweep again to rebuild it from the run directories", error.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Report_OfACompressionJsonFullOfGarbage_NamesTheField()
    {
        string folder = TempFolder();
        try
        {
            File.WriteAllText(Path.Combine(folder, "compression.json"),
                """{"results": [{"label": "x", "baseline_accuracy": 0.9, "baseline_file_bytes": 100, "baseline_latency_batch64_ms": 1, "accuracy": 7.5, "file_bytes": -5, "latency_batch64_ms": 1}]}""");
            var (code, _, error) = Run("report", folder);
            Assert.Equal(1, code);
            Assert.Equal($"error: {Path.Combine(folder, "compression.json")}: \"accuracy\" is 7.5; it must be from 0 to 1 — the file is damaged or was not written by `scalelab compress`", error.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Estimate_OfASpecThatIsNotUtf8_SaysSo()
    {
        string folder = TempFolder();
        string path = Path.Combine(folder, "spec.json");
        File.WriteAllBytes(path, [.. "{\"name\": \"m\xff\", \"input\": [4], \"layers\": []}"u8.ToArray()[..11], 0xff, .. "\"}"u8.ToArray()]);
        try
        {
            var (code, _, error) = Run("estimate", path);
            Assert.Equal(1, code);
            Assert.Equal($"error: {path}: is not valid UTF-8 (first bad byte at offset 11); save it as UTF-8", error.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Estimate_WithAHugeBatch_NamesTheOption()
    {
        var (code, _, error) = Run("estimate", "gpt2-small", "--batch", "4611686018427387904");
        Assert.Equal(1, code);
        Assert.Equal("error: --batch 4611686018427387904: at most 1073741824 samples per step are accepted", error.Trim());
    }

    [Theory]
    [InlineData("--serve --context 4096 --batch 99999999999999 --hardware h100-sxm", "error: --batch 99999999999999: at most 16777216 concurrent sequences are accepted")]
    [InlineData("--tokens 1e300 --hardware h100-sxm --gpus 64", "error: --tokens 1E+300: at most 1E+18 is accepted")]
    public void Plan_WithValuesPastAnyRealRun_NamesTheOptionAndTheLimit(string options, string message)
    {
        var (code, _, error) = Run(["plan", "llama-2-7b", .. options.Split(' ')]);
        Assert.Equal(1, code);
        Assert.Equal(message, error.Trim());
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}

/// <summary>A trained run damaged afterwards: eval of NaN weights and report of an impossible summary.json exit 1.</summary>
[Collection("cli train")]
public sealed class DamagedRunCliTests
{
    private static string Embedded => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");

    private static string TrainedRun()
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-cli-hostile", Guid.NewGuid().ToString("N"));
        var (code, _, error) = EstimateCommandTests.Run("train", "lenet-300-100", "--data", Embedded, "--limit", "256", "--epochs", "1", "--out", dir, "--progress", "plain", "--threads", "1");
        Assert.True(code == 0, error);
        return dir;
    }

    [Fact]
    public void Eval_OfWeightsHoldingNaN_ExitsOneNamingTheTensor()
    {
        string run = TrainedRun();
        string weights = Path.Combine(run, "checkpoints", "best.safetensors");
        var tensors = Torch.Checkpoints.ModelWeights.ReadAll(weights);
        string name = tensors.Keys.Order(StringComparer.Ordinal).First(k => k.EndsWith("weight", StringComparison.Ordinal));
        using var infinity = TorchSharp.torch.tensor(float.PositiveInfinity);
        tensors[name][0, 0] = infinity;
        Torch.Checkpoints.ModelWeights.SaveTensors(tensors.Select(p => (p.Key, p.Value)), weights);
        foreach (var t in tensors.Values) t.Dispose();

        var (code, _, error) = EstimateCommandTests.Run("eval", run, "--data", Embedded);
        Assert.Equal(1, code);
        Assert.Equal($"error: {weights}: tensor '{name}' holds 1 NaN or infinite values; the weights are corrupt (or were saved from a diverged run)", error.Trim());
    }

    [Fact]
    public void Report_OfASummaryJsonWithAnImpossibleAccuracy_ExitsOneNamingTheField()
    {
        string run = TrainedRun();
        string summary = Path.Combine(run, "summary.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(summary))!;
        json["test"]!["accuracy"] = 7.5;
        File.WriteAllText(summary, json.ToJsonString());
        var (code, _, error) = EstimateCommandTests.Run("report", run);
        Assert.Equal(1, code);
        Assert.Equal($"error: {summary}: test.accuracy is 7.5; it must be from 0 to 1 — the file is damaged or was not written by `scalelab train`", error.Trim());
    }
}
