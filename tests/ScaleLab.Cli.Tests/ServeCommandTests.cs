using System.Net;
using System.Text.Json;
using ScaleLab.Cli.Commands;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Scaling;
using ScaleLab.Experiments.Store;
using ScaleLab.Tests.Shared;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab serve` over HTTP: real runs made by `scalelab train`, a curve that grows when the run trains on,
/// and requests that try to leave the served folder.</summary>
public sealed class ServeCommandTests
{
    private static string Example(string name, [System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(thisFile)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleLab.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "examples", "train", name);
    }

    private static string Train(string root, int epochs, bool resume = false)
    {
        string run = Path.Combine(root, "runs", "lr");
        string[] args = resume
            ? ["train", run, "--resume", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", run, "--progress", "plain", "--threads", "1"]
            : ["train", Example("linear-regression.json"), "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", run, "--progress", "plain", "--threads", "1"];
        var (code, _, error) = EstimateCommandTests.Run(args);
        Assert.True(code == 0, error);
        return run;
    }

    private static async Task<(HttpStatusCode Status, string Body)> Get(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<HttpClient> Start(WebApplicationHolder holder)
    {
        await holder.App.StartAsync();
        var server = holder.App.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) as Microsoft.AspNetCore.Hosting.Server.IServer;
        string url = server!.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return new HttpClient { BaseAddress = new Uri(url) };
    }

    private sealed class WebApplicationHolder(string root, string? token, StoreLocation? store = null) : IAsyncDisposable
    {
        public Microsoft.AspNetCore.Builder.WebApplication App { get; } = ServeCommand.Build(root, IPAddress.Loopback, 0, token, store);

        public async ValueTask DisposeAsync() => await App.DisposeAsync();
    }

    [Fact]
    public async Task Serve_ListsARunAndItsCurve_WhichGainsPointsAsTheRunTrainsOn()
    {
        string root = Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10]);
        string run = Train(root, epochs: 2);
        await using var holder = new WebApplicationHolder(root, null);
        using var client = await Start(holder);

        var (status, listing) = await Get(client, "/api/entries");
        Assert.Equal(HttpStatusCode.OK, status);
        SchemaValidation.AssertValid("dashboard.schema.json", listing);
        SchemaValidation.AssertValid("dashboard-entry.schema.json", (await Get(client, "/api/entries/runs~lr")).Body);
        var entries = JsonDocument.Parse(listing).RootElement;
        Assert.Equal("scalelab.dashboard/1", entries.GetProperty("schema").GetString());
        var entry = Assert.Single(entries.GetProperty("entries").EnumerateArray());
        Assert.Equal("runs~lr", entry.GetProperty("id").GetString());
        Assert.Equal("run", entry.GetProperty("kind").GetString());
        Assert.Equal(1, entry.GetProperty("status").GetProperty("completed").GetInt32());

        var before = JsonDocument.Parse((await Get(client, "/api/entries/runs~lr")).Body).RootElement.GetProperty("trials")[0];
        Assert.Equal(2, before.GetProperty("epochs").GetArrayLength());
        // The page's figure is the run's own: the best validation loss in metrics.jsonl.
        double best = File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(o => o.TryGetProperty("val_loss", out var v) && v.ValueKind == JsonValueKind.Number).Min(o => o.GetProperty("val_loss").GetDouble());
        Assert.Equal(best, before.GetProperty("best_val_loss").GetDouble());

        Train(root, epochs: 3, resume: true);
        var after = JsonDocument.Parse((await Get(client, "/api/entries/runs~lr")).Body).RootElement.GetProperty("trials")[0];
        Assert.Equal(3, after.GetProperty("epochs").GetArrayLength());

        var (pageStatus, page) = await Get(client, "/");
        Assert.Equal(HttpStatusCode.OK, pageStatus);
        Assert.DoesNotContain("http://", page.Replace("http://127", "", StringComparison.Ordinal), StringComparison.Ordinal);   // no external assets
    }

    [Fact]
    public async Task Serve_AFolderWithVerifyJson_ListsItsEstimateBesideTheMeasurement()
    {
        string root = Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10]);
        var (_, json, error) = EstimateCommandTests.Run("verify", "pytorch-10-100-1", "--batch", "4,8", "--steps", "1", "--repeats", "1",
            "--profile", VerifyCommandTests.SyntheticProfile(), "--json");
        Assert.True(json.TrimStart().StartsWith('{'), error);
        Directory.CreateDirectory(Path.Combine(root, "verify"));
        await File.WriteAllTextAsync(Path.Combine(root, "verify", "verify.json"), json);
        await using var holder = new WebApplicationHolder(root, null);
        using var client = await Start(holder);

        var listing = (await Get(client, "/api/entries")).Body;
        SchemaValidation.AssertValid("dashboard.schema.json", listing);
        Assert.Equal("verify", Assert.Single(JsonDocument.Parse(listing).RootElement.GetProperty("entries").EnumerateArray()).GetProperty("kind").GetString());
        string body = (await Get(client, "/api/entries/verify")).Body;
        SchemaValidation.AssertValid("dashboard-entry.schema.json", body);
        var rows = JsonDocument.Parse(body).RootElement.GetProperty("verify").EnumerateArray().ToList();
        var batches = JsonDocument.Parse(json).RootElement.GetProperty("batches").EnumerateArray().ToList();
        Assert.Equal([4, 8], rows.Select(r => r.GetProperty("batch").GetInt32()));
        Assert.All(rows, r => Assert.Equal("pytorch-10-100-1", r.GetProperty("model").GetString()));
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(batches[i].GetProperty("memory").GetProperty("estimated_bytes").GetInt64(), rows[i].GetProperty("estimated_bytes").GetInt64());
            Assert.Equal(batches[i].GetProperty("memory").GetProperty("measured_bytes").GetInt64(), rows[i].GetProperty("measured_bytes").GetInt64());
            Assert.Equal(batches[i].GetProperty("time").GetProperty("measured_seconds_per_step").GetDouble(), rows[i].GetProperty("measured_seconds_per_step").GetDouble());
        }
    }

    [Fact]
    public async Task Serve_AOneEpochRun_CarriesEveryStepRecordOfItsStepsJsonl()
    {
        string root = Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10]);
        string run = Train(root, epochs: 1);
        await using var holder = new WebApplicationHolder(root, null);
        using var client = await Start(holder);

        string body = (await Get(client, "/api/entries/runs~lr")).Body;
        SchemaValidation.AssertValid("dashboard-entry.schema.json", body);
        var trial = JsonDocument.Parse(body).RootElement.GetProperty("trials")[0];
        var steps = trial.GetProperty("steps").EnumerateArray().ToList();
        var written = RunReader.ReadSteps(run);
        // One epoch, yet a curve: every record of steps.jsonl, in order, ending at the epoch's end.
        Assert.Equal(1, trial.GetProperty("epochs").GetArrayLength());
        Assert.True(written.Count > 1, $"steps.jsonl holds {written.Count} record(s)");
        Assert.Equal(written.Select(w => (w.Step, w.EpochsDone, w.TrainLoss)),
            steps.Select(s => (s.GetProperty("step").GetInt64(), s.GetProperty("epochs_done").GetDouble(), s.GetProperty("train_loss").GetDouble())));
        Assert.Equal(1.0, steps[^1].GetProperty("epochs_done").GetDouble(), 9);
    }

    [Fact]
    public async Task Serve_ASqliteStore_ListsItsSweep_WithTheLawsBandFlopsAxesAndSteps()
    {
        string dir = DashboardSweepFixture.Write(Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10]));
        string elsewhere = Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(elsewhere);
        await using var holder = new WebApplicationHolder(elsewhere, null, StoreLocation.Parse("sqlite:" + Path.Combine(dir, "results.db")));
        using var client = await Start(holder);

        string listing = (await Get(client, "/api/entries")).Body;
        SchemaValidation.AssertValid("dashboard.schema.json", listing);
        var entry = Assert.Single(JsonDocument.Parse(listing).RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal(("sweep-1", "mlp-width", "sweep", 4), (entry.GetProperty("id").GetString(), entry.GetProperty("name").GetString(),
            entry.GetProperty("kind").GetString(), entry.GetProperty("status").GetProperty("completed").GetInt32()));

        var (status, body) = await Get(client, "/api/entries/sweep-1");
        Assert.Equal(HttpStatusCode.OK, status);
        SchemaValidation.AssertValid("dashboard-entry.schema.json", body);
        var doc = JsonDocument.Parse(body).RootElement;
        var trials = doc.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(DashboardSweepFixture.Widths.Select(h => (DashboardSweepFixture.TrainingFlops(h), (double)h)),
            trials.Select(t => (t.GetProperty("training_flops").GetDouble(), t.GetProperty("axes").GetProperty("width").GetDouble())));
        // Steps come from the run directory where it exists here; the store does not hold them.
        Assert.Equal([DashboardSweepFixture.StepRecords, 0, 0, 0], trials.Select(t => t.GetProperty("steps").GetArrayLength()));

        // The band is the report's: PowerLawFit.LossBand of the same fit, at 40 sizes from the smallest trial to the largest.
        var sweep = StoreSweepReader.Read(SqliteResultsStore.OpenExisting(dir), "mlp-width");
        var (points, _) = SweepFitInput.PowerLaw(sweep, FitAxis.Params, FitTarget.ValLoss);
        var fit = PowerLawFitter.Fit(points, "params", new ScalingFitOptions { BootstrapSamples = 100 });
        var band = doc.GetProperty("fit").GetProperty("band").EnumerateArray().ToList();
        Assert.Equal(40, band.Count);
        Assert.Equal(DashboardSweepFixture.Parameters(8), band[0].GetProperty("parameters").GetDouble(), 6);
        Assert.Equal(DashboardSweepFixture.Parameters(512), band[^1].GetProperty("parameters").GetDouble(), 3);
        foreach (var b in band)
        {
            double x = b.GetProperty("parameters").GetDouble();
            Assert.Equal(fit.Loss(x), b.GetProperty("loss").GetDouble(), 12);
            Assert.Equal(fit.LossBand(x).Lower, b.GetProperty("lower").GetDouble(), 12);
            Assert.Equal(fit.LossBand(x).Upper, b.GetProperty("upper").GetDouble(), 12);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Get(client, "/api/entries/sweep-2")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(client, "/api/entries/~")).Status);
    }

    [Fact]
    public async Task Serve_APostgresStore_ListsItsSweepAndItsTrials()
    {
        string url = PostgresServer.Instance.CreateDatabase();
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10]);
        using (var store = (PostgresResultsStore)StoreLocation.Parse(url).Open()) DashboardSweepFixture.Write(dir, store);
        await using var holder = new WebApplicationHolder(dir, null, StoreLocation.Parse(url));
        using var client = await Start(holder);

        string listing = (await Get(client, "/api/entries")).Body;
        SchemaValidation.AssertValid("dashboard.schema.json", listing);
        var entry = Assert.Single(JsonDocument.Parse(listing).RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal("mlp-width", entry.GetProperty("name").GetString());
        string body = (await Get(client, "/api/entries/" + entry.GetProperty("id").GetString())).Body;
        SchemaValidation.AssertValid("dashboard-entry.schema.json", body);
        var doc = JsonDocument.Parse(body).RootElement;
        Assert.Equal(DashboardSweepFixture.Widths.Select(h => $"h={h}"), doc.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("label").GetString()));
        Assert.Equal(40, doc.GetProperty("fit").GetProperty("band").GetArrayLength());
        Assert.Equal(DashboardSweepFixture.StepRecords, doc.GetProperty("trials")[0].GetProperty("steps").GetArrayLength());
    }

    [Fact]
    public void Serve_AStoreThatDoesNotExist_IsRefusedBeforeListening()
    {
        string missing = Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10], "results.db");
        var (code, _, error) = EstimateCommandTests.Run("serve", "--store", "sqlite:" + missing, "--port", "0");
        Assert.Equal(1, code);
        Assert.Equal($"error: sqlite:{missing}: no such results store; submit a sweep to it first (`scalelab sweep SWEEP.json --store sqlite:{missing} --submit`)", error.Trim());
    }

    [Theory]
    [InlineData("/api/entries/..~..~..~etc~passwd")]
    [InlineData("/api/entries/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/entries/%2e%2e")]
    [InlineData("/../../../etc/passwd")]
    [InlineData("/api/entries/runs~lr~checkpoints")]
    [InlineData("/api/entries/runs")]
    public async Task Serve_RefusesAnythingNotInTheListing(string path)
    {
        string root = Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path.Combine(root, "runs", "lr", "checkpoints"));
        await using var holder = new WebApplicationHolder(root, null);
        using var client = await Start(holder);
        var (status, body) = await Get(client, path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithAToken_RefusesRequestsWithoutIt()
    {
        string root = Path.Combine(Path.GetTempPath(), "scalelab-serve-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(root);
        await using var holder = new WebApplicationHolder(root, "s3cret");
        using var client = await Start(holder);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(client, "/api/entries")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(client, "/api/entries?token=s3cre")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Get(client, "/api/entries?token=s3cret")).Status);
    }

    [Fact]
    public void Serve_OnAnotherAddressWithoutAToken_IsRefused()
    {
        var (code, _, error) = EstimateCommandTests.Run("serve", Path.GetTempPath(), "--host", "0.0.0.0");
        Assert.Equal(1, code);
        Assert.Equal("error: --host 0.0.0.0: other machines could read every run; add --token SECRET (or keep the default 127.0.0.1)", error.Trim());
    }
}
