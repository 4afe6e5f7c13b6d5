using System.Globalization;
using System.Text.Json;
using PuppeteerSharp;

namespace ScaleLab.Cli.Tests.Browser;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserLifetime>
{
    public const string Name = "browser";
}

/// <summary>
/// The dashboard in a real browser: `scalelab serve` started as a process on a free port over runs made by
/// `scalelab train`, the page opened in Debian's headless Chromium (<see cref="SystemChromium"/>), and the rendered DOM
/// read back. Waits are bounded (a failing wait names what it waited for); nothing asserts how long anything took.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests
{
    private static readonly TimeSpan TrainLimit = TimeSpan.FromMinutes(2);

    private static string Example(string name, [System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(thisFile)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleLab.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "examples", "train", name);
    }

    private static string NewRoot() => Path.Combine(Path.GetTempPath(), "scalelab-browser-" + Guid.NewGuid().ToString("N")[..10]);

    private static async Task<string> Train(string root, int epochs)
    {
        string run = Path.Combine(root, "runs", "lr");
        await ServeProcess.RunAsync(TrainLimit, "train", Example("linear-regression.json"), "--epochs", epochs.ToString(CultureInfo.InvariantCulture),
            "--out", run, "--progress", "plain", "--threads", "1");
        return run;
    }

    private static double BestValidationLoss(string run) =>
        File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(o => o.TryGetProperty("val_loss", out var v) && v.ValueKind == JsonValueKind.Number).Min(o => o.GetProperty("val_loss").GetDouble());

    private static async Task<IPage> Open(Uri url)
    {
        var page = await (await SystemChromium.Browser).NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
        await page.GoToAsync(url.ToString(), new NavigationOptions { Timeout = 30_000 });
        return page;
    }

    /// <summary>Waits (at most 30 s) until the learning-curve SVG holds more than <paramref name="count"/> points; returns how many it holds.</summary>
    private static async Task<int> WaitForCurvePointsAbove(IPage page, int count)
    {
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#curves svg circle.pt').length > {count}", new WaitForFunctionOptions { Timeout = 30_000 });
        return await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#curves svg circle.pt').length");
    }

    [Fact]
    public async Task Page_ShowsTheRunsBestValidationLoss_AndItsCurveGainsPointsWhileTheRunTrainsOn()
    {
        string root = NewRoot();
        string run = await Train(root, epochs: 2);
        using var server = await ServeProcess.StartAsync(root);
        await using var page = await Open(server.Url);

        // One validation and one training point per epoch: 2 epochs, 4 points.
        Assert.Equal(4, await WaitForCurvePointsAbove(page, 3));
        string[] cells = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#trials tr:nth-child(2) td')].map(td => td.textContent)");
        Assert.Equal("lr", cells[0]);
        Assert.Equal("completed", cells[1]);
        Assert.Equal("2", cells[5]);
        // The page prints 4 significant figures of the minimum val_loss in the run's metrics.jsonl.
        double best = BestValidationLoss(run);
        Assert.Equal(best.ToString("G4", CultureInfo.InvariantCulture), double.Parse(cells[3], CultureInfo.InvariantCulture).ToString("G4", CultureInfo.InvariantCulture));
        string nav = await page.EvaluateExpressionAsync<string>("document.getElementById('entries').textContent");
        Assert.Contains("run: 1 completed", nav, StringComparison.Ordinal);

        // Train on while the page is open: it polls, and the SVG gains the new epochs' points.
        var resume = ServeProcess.RunAsync(TrainLimit, "train", run, "--resume", "--epochs", "4", "--out", run, "--progress", "plain", "--threads", "1");
        int grown = await WaitForCurvePointsAbove(page, 4);
        await resume;
        Assert.InRange(grown, 6, 8);
        Assert.Equal(8, await WaitForCurvePointsAbove(page, 7));
        Assert.Equal("4", await page.EvaluateExpressionAsync<string>("document.querySelector('#trials tr:nth-child(2) td:nth-child(6)').textContent"));
    }

    [Fact]
    public async Task Page_OfOneRunDirectoryServedItself_ShowsItsBestValidationLoss()
    {
        // The served folder is the entry: its id must survive the browser's URL normalisation (it once was ".").
        string run = await Train(NewRoot(), epochs: 2);
        using var server = await ServeProcess.StartAsync(run);
        await using var page = await Open(server.Url);
        await page.WaitForFunctionAsync("() => document.querySelector('#trials tr:nth-child(2)') !== null", new WaitForFunctionOptions { Timeout = 30_000 });
        string best = await page.EvaluateExpressionAsync<string>("document.querySelector('#trials tr:nth-child(2) td:nth-child(4)').textContent");
        Assert.Equal(BestValidationLoss(run).ToString("G4", CultureInfo.InvariantCulture), double.Parse(best, CultureInfo.InvariantCulture).ToString("G4", CultureInfo.InvariantCulture));
        Assert.Equal(4, await WaitForCurvePointsAbove(page, 3));
    }

    [Fact]
    public async Task Page_OfAOneEpochRun_DrawsATrainingCurveWithMorePointsThanEpochs()
    {
        string run = await Train(NewRoot(), epochs: 1);
        int records = File.ReadLines(Path.Combine(run, "steps.jsonl")).Count();
        using var server = await ServeProcess.StartAsync(run);
        await using var page = await Open(server.Url);

        // One point per step record of steps.jsonl (here 23), against one epoch.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#curves svg circle.sp').length > 0", new WaitForFunctionOptions { Timeout = 30_000 });
        int points = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#curves svg circle.sp').length");
        Assert.True(records > 1, $"steps.jsonl holds {records} record(s)");
        Assert.Equal(records, points);
        string title = await page.EvaluateExpressionAsync<string>("document.querySelector('#curves svg circle.sp:last-of-type title').textContent");
        Assert.StartsWith("lr train (steps): 1.000, ", title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LegendClick_HidesThatSeriesPoints_AndASecondClickRestoresThem_AcrossPolls()
    {
        string run = await Train(NewRoot(), epochs: 2);
        using var server = await ServeProcess.StartAsync(run);
        await using var page = await Open(server.Url);
        const string val = "document.querySelectorAll('#curves svg circle[data-series=\"lr val\"]').length";
        await page.WaitForFunctionAsync($"() => {val} === 2", new WaitForFunctionOptions { Timeout = 30_000 });
        int others = await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#curves svg circle').length") - 2;
        // The click is dispatched in the page, in one task: every poll replaces the plot's SVG, and ClickAsync's round
        // trips between finding the legend entry and pressing the mouse can straddle a redraw on a loaded machine.
        const string clickLegend = "document.querySelector('#curves text.lg[data-key=\"curves|lr val\"]').dispatchEvent(new MouseEvent('click', { bubbles: true }))";

        await page.EvaluateExpressionAsync(clickLegend);
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>(val));
        // Still hidden after the page has polled and redrawn (every 2 s), and only that series is.
        await Task.Delay(TimeSpan.FromMilliseconds(2.5 * 2000));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>(val));
        Assert.Equal(others, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#curves svg circle').length"));

        await page.EvaluateExpressionAsync(clickLegend);
        Assert.Equal(2, await page.EvaluateExpressionAsync<int>(val));
    }

    [Fact]
    public async Task Page_OfASweep_DrawsTheLawsBand_LossVsFlops_AndParallelCoordinates()
    {
        string dir = DashboardSweepFixture.Write(NewRoot());
        using var server = await ServeProcess.StartAsync(dir);
        await using var page = await Open(server.Url);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#parallel svg polyline.pc').length > 0", new WaitForFunctionOptions { Timeout = 30_000 });

        Assert.Equal(4, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#parallel svg polyline.pc').length"));
        string[] axes = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#parallel svg text.axis')].map(t => t.textContent)");
        Assert.Equal(["width (log)", "parameters (log)", "best val loss"], axes);
        Assert.Equal(1, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#scaling svg polygon.band').length"));
        Assert.StartsWith("fit: L(params) = ", await page.EvaluateExpressionAsync<string>("document.getElementById('law').textContent"), StringComparison.Ordinal);
        Assert.Equal(4, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#scaling svg circle.pt').length"));
        string[] flops = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#flops svg circle.pt title')].map(t => t.textContent)");
        Assert.Equal(4, flops.Length);
        Assert.StartsWith("h=8: ", flops[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_OfAVerifyJson_ShowsEachBatchsEstimateAndMeasurement()
    {
        string root = NewRoot();
        var (_, json, error) = EstimateCommandTests.Run("verify", "pytorch-10-100-1", "--batch", "4,8", "--steps", "1", "--repeats", "1",
            "--profile", VerifyCommandTests.SyntheticProfile(), "--json");
        Assert.True(json.TrimStart().StartsWith('{'), error);
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "verify.json"), json);
        using var server = await ServeProcess.StartAsync(root);
        await using var page = await Open(server.Url);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#verify tr').length === 3", new WaitForFunctionOptions { Timeout = 30_000 });
        string[][] rows = await page.EvaluateExpressionAsync<string[][]>("[...document.querySelectorAll('#verify tr')].slice(1).map(r => [...r.cells].map(c => c.textContent))");
        var batches = JsonDocument.Parse(json).RootElement.GetProperty("batches").EnumerateArray().ToList();
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal("pytorch-10-100-1", rows[i][0]);
            Assert.Equal(batches[i].GetProperty("batch").GetInt32().ToString(CultureInfo.InvariantCulture), rows[i][1]);
            // Measured step time in ms to 2 decimals, as the page prints it.
            double ms = 1000 * batches[i].GetProperty("time").GetProperty("measured_seconds_per_step").GetDouble();
            Assert.Equal(ms.ToString("F2", CultureInfo.InvariantCulture) + " ms", rows[i][6]);
        }
    }

    [Theory]
    [InlineData("/../../../../etc/passwd")]
    [InlineData("/api/entries/..%2F..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/entries/..~..~..~..~etc~passwd")]
    [InlineData("/api/entries/..~secret.txt")]
    [InlineData("/%2e%2e/secret.txt")]
    [InlineData("/#..~..~..~..~etc~passwd")]
    [InlineData("/#..~secret.txt")]
    public async Task TraversalUrls_RenderNoFileContents(string path)
    {
        string parent = NewRoot(), root = Path.Combine(parent, "served");
        Directory.CreateDirectory(Path.Combine(root, "runs", "lr"));
        // A file just outside the served folder: nothing the browser can reach may show it.
        await File.WriteAllTextAsync(Path.Combine(parent, "secret.txt"), "top-secret-7f3a");
        using var server = await ServeProcess.StartAsync(root);
        await using var page = await (await SystemChromium.Browser).NewPageAsync();
        var response = await page.GoToAsync(server.Url + path.TrimStart('/'), new NavigationOptions { Timeout = 30_000 });
        if (path.StartsWith("/#", StringComparison.Ordinal))
        {
            // The page asks for the entry the hash names, gets a 404 and says so.
            await page.WaitForFunctionAsync("() => document.getElementById('main').textContent.includes('404')", new WaitForFunctionOptions { Timeout = 30_000 });
        }
        else
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.Status);
        }

        string text = await page.EvaluateExpressionAsync<string>("document.documentElement.outerHTML");
        Assert.DoesNotContain("root:x:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("top-secret-7f3a", text, StringComparison.Ordinal);
    }
}
