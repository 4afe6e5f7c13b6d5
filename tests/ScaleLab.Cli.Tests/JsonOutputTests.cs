using System.Text.Json;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Store;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// Issue 9, one JSON convention: every `--json` prints exactly one document on stdout, named by its "schema", that
/// validates against docs/schemas/NAME.schema.json — checked on real output of a run trained here on the embedded data.
/// </summary>
[Collection("cli train")]
public sealed class JsonOutputTests
{
    private static string Embedded => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");

    /// <summary>One lenet-300-100 run (256 samples, 1 epoch) and its int8 compression, shared by every test here.</summary>
    private static readonly Lazy<(string Run, string Compressed, string Json, string Error)> Trained = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "scalelab-cli-json", Guid.NewGuid().ToString("N"));
        string run = Path.Combine(root, "run"), compressed = Path.Combine(root, "int8");
        var train = EstimateCommandTests.Run("train", "lenet-300-100", "--data", Embedded, "--limit", "256", "--epochs", "1", "--out", run, "--progress", "plain", "--threads", "1");
        Assert.True(train.Code == 0, train.Err);
        var compress = EstimateCommandTests.Run("compress", run, "--quantize", "int8", "--finetune-epochs", "0", "--threads", "1", "--out", compressed, "--json");
        Assert.True(compress.Code == 0, compress.Err);
        return (run, compressed, compress.Out, compress.Err);
    });

    /// <summary>Parses stdout as one JSON document (JsonDocument refuses anything after it) and checks its schema name.</summary>
    private static JsonElement Document(string stdout, string schema)
    {
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(schema, document.RootElement.GetProperty("schema").GetString());
        return document.RootElement.Clone();
    }

    [Fact]
    public void Compress_Json_IsOneDocumentAndTheFilesGoToStderr()
    {
        var (_, compressed, json, error) = Trained.Value;
        var root = Document(json, "scalelab.compress/2");
        SchemaValidation.AssertValid("compress.schema.json", json);
        Assert.Equal(File.ReadAllText(Path.Combine(compressed, "compression.json")).TrimEnd(), json.TrimEnd());
        Assert.Contains($"results: {Path.Combine(compressed, "compression.json")}", error, StringComparison.Ordinal);
        var result = root.GetProperty("results")[0];
        Assert.Equal(266_610, result.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.True(result.GetProperty("file_bytes").GetInt64() < root.GetProperty("baseline").GetProperty("file_bytes").GetInt64());
        // The deployment matrix: every engine at batch 1 and 64, and the int8 speed-up for each ONNX Runtime int8 cell
        var cells = result.GetProperty("deployment").EnumerateArray()
            .Select(c => (c.GetProperty("engine").GetString(), c.GetProperty("batch").GetInt32())).ToHashSet();
        foreach (string engine in new[] { "torchsharp_fp32", "onnxruntime_fp32", "onnxruntime_int8" })
            Assert.True(cells.Contains((engine, 1)) && cells.Contains((engine, 64)), engine);
        int int8Cells = cells.Count(c => c.Item1 == "onnxruntime_int8");
        Assert.Equal(result.GetProperty("deployment").EnumerateArray().Count(c => c.GetProperty("engine").GetString() == "onnxruntime_int8"),
            result.GetProperty("int8_speedups").GetArrayLength());
        Assert.True(int8Cells >= 2);
    }

    /// <summary>The schemas are closed: a key they do not document, or a bare-number "parameters", fails validation.</summary>
    [Fact]
    public void Schemas_RefuseWhatTheyDoNotDocument()
    {
        var extra = System.Text.Json.Nodes.JsonNode.Parse(Trained.Value.Json)!;
        extra["results"]![0]!["latency_batch64_ms"] = 0.4;
        Assert.ThrowsAny<Exception>(() => SchemaValidation.AssertValid("compress.schema.json", extra.ToJsonString()));
        var bare = System.Text.Json.Nodes.JsonNode.Parse(Trained.Value.Json)!;
        bare["results"]![0]!["parameters"] = 266_610;
        Assert.ThrowsAny<Exception>(() => SchemaValidation.AssertValid("compress.schema.json", bare.ToJsonString()));
    }

    [Fact]
    public void Eval_Json_ValidatesAndItsConfusionMatrixSumsToTheSamples()
    {
        var (code, output, error) = EstimateCommandTests.Run("eval", Trained.Value.Run, "--threads", "1", "--json");
        Assert.True(code == 0, error);
        var root = Document(output, "scalelab.eval/1");
        SchemaValidation.AssertValid("eval.schema.json", output);
        long samples = root.GetProperty("samples").GetInt64();
        var confusion = root.GetProperty("classification").GetProperty("confusion");
        Assert.Equal(samples, confusion.EnumerateArray().Sum(row => row.EnumerateArray().Sum(n => n.GetInt64())));
        Assert.Equal(10, confusion.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("regression").ValueKind);
    }

    [Fact]
    public void Report_Json_OfACompressionDirectory_ListsTheBaselineAndTheVariant()
    {
        var (code, output, error) = EstimateCommandTests.Run("report", Trained.Value.Compressed, "--json");
        Assert.True(code == 0, error);
        var root = Document(output, "scalelab.report/1");
        SchemaValidation.AssertValid("report.schema.json", output);
        var points = root.GetProperty("compression");
        Assert.Equal(2, points.GetArrayLength());
        Assert.Equal("baseline fp32", points[0].GetProperty("label").GetString());
        Assert.False(File.Exists(Path.Combine(Trained.Value.Compressed, "report.html")));
    }

    [Fact]
    public void Report_Json_OfARunDirectory_HoldsItsTrialAndLearningCurve()
    {
        var (code, output, error) = EstimateCommandTests.Run("report", Trained.Value.Run, "--json");
        Assert.True(code == 0, error);
        var root = Document(output, "scalelab.report/1");
        SchemaValidation.AssertValid("report.schema.json", output);
        var trial = root.GetProperty("trials").EnumerateArray().Single();
        Assert.Equal(266_610, trial.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal(1, trial.GetProperty("epochs").GetArrayLength());
    }

    [Fact]
    public void Verify_Json_ValidatesAndTheCountsMatch()
    {
        var (code, output, error) = EstimateCommandTests.Run("verify", "pytorch-10-100-1", "--batch", "4,8,16", "--steps", "1", "--repeats", "1", "--threads", "1",
            "--profile", VerifyCommandTests.SyntheticProfile(), "--json");
        var root = Document(output, "scalelab.verify/2");
        SchemaValidation.AssertValid("verify.schema.json", output);
        var parameters = root.GetProperty("parameters");
        Assert.Equal((1_201L, 1_201L, true), (parameters.GetProperty("estimated").GetInt64(), parameters.GetProperty("measured").GetInt64(), parameters.GetProperty("match").GetBoolean()));
        Assert.Equal(3, root.GetProperty("batches").GetArrayLength());
        Assert.True(code == (root.GetProperty("within_tolerance").GetBoolean() ? 0 : 1), error);
    }

    [Fact]
    public void SweepStatus_Json_ValidatesWithEveryStatusCounted()
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-cli-json", Guid.NewGuid().ToString("N"));
        var store = SqliteResultsStore.Open(dir);
        long sweep = store.EnsureSweep("tiny", "two widths", "{\"name\":\"tiny\"}");
        store.AddTrials(sweep, [
            new TrialPlanRow("aaaa", 0, "width=0.5", "{\"width\":0.5}", "{\"name\":\"m\"}", "{\"epochs\":1}", 6_370, 12_740, Path.Combine(dir, "trials", "aaaa")),
            new TrialPlanRow("bbbb", 1, "width=1", "{\"width\":1}", "{\"name\":\"m\"}", "{\"epochs\":1}", 12_730, 25_460, Path.Combine(dir, "trials", "bbbb"))]);
        store.MarkRunning("bbbb", 4242);
        var epoch = new EpochMetrics(1, 6, 1.2, 0.55, 1.1, 0.6, 1e-3, 0.5, 600);
        store.Finish("bbbb", new RunOutcome(TrialStatus.Completed, null, new RunSummary
        {
            Status = RunStatus.Completed, Parameters = 12_730, EpochsCompleted = 1, Steps = 6, SamplesSeen = 300, TrainingFlops = 2.3e7,
            StepSecondsMean = 0.01, TrainSeconds = 0.5, PeakRssBytes = 300L << 20, Final = epoch, Best = new BestEpoch(1, 1.1),
            Test = new TestMetrics(100, 1.15, 0.58, null, 5, null, null, null),
        }, [epoch]));

        var (code, output, error) = EstimateCommandTests.Run("sweep", "status", dir, "--json");
        Assert.True(code == 0, error);
        var root = Document(output, "scalelab.sweep-status/1");
        SchemaValidation.AssertValid("sweep-status.schema.json", output);
        Assert.Equal((1, 1), (root.GetProperty("counts").GetProperty("queued").GetInt32(), root.GetProperty("counts").GetProperty("completed").GetInt32()));
        var done = root.GetProperty("trials")[1];
        Assert.Equal((12_730L, 300L << 20), (done.GetProperty("parameters").GetProperty("measured").GetInt64(), done.GetProperty("peak_rss_bytes").GetInt64()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("trials")[0].GetProperty("best_val_loss").ValueKind);
    }

    [Fact]
    public void Fit_Json_OfASweep_ValidatesAsAPowerLaw()
    {
        var (code, output, error) = EstimateCommandTests.Run("fit", FitCommandTests.WidthSweep(), "--predict", "1e6", "--json");
        Assert.True(code == 0, error);
        var root = Document(output, "scalelab.fit/1");
        SchemaValidation.AssertValid("fit.schema.json", output);
        Assert.Equal(("power_law", 6), (root.GetProperty("law").GetString(), root.GetProperty("quality").GetProperty("points").GetInt32()));
        Assert.Equal(1e6, root.GetProperty("prediction").GetProperty("at").GetDouble());
    }

    [Fact]
    public void Report_Json_OfASweep_HoldsEveryTrialsPoint()
    {
        var (code, output, error) = EstimateCommandTests.Run("report", FitCommandTests.WidthSweep(), "--json");
        Assert.True(code == 0, error);
        var root = Document(output, "scalelab.report/1");
        SchemaValidation.AssertValid("report.schema.json", output);
        Assert.Equal("run directories", root.GetProperty("source").GetString());
        Assert.Equal(6, root.GetProperty("trials").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("compression").ValueKind);
        Assert.Equal(300_000_000L, root.GetProperty("trials")[0].GetProperty("peak_rss_bytes").GetInt64());
    }
}
