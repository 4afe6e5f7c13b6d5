using System.Buffers.Binary;
using PuppeteerSharp;

namespace ScaleLab.Cli.Tests.Browser;

/// <summary>
/// A PNG of the rendered dashboard. In the suite it shoots a two-epoch run into a temporary file; with
/// $SCALELAB_DASHBOARD_PNG set it runs `scalelab study --quick` first and writes the study's page there: that is how
/// docs/images/dashboard.png is made (docs/reports.md).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardScreenshotTests
{
    public const string OutputVariable = "SCALELAB_DASHBOARD_PNG";

    [Fact]
    public async Task Screenshot_OfTheRenderedDashboard_IsAPng1280PixelsWide()
    {
        string? wanted = Environment.GetEnvironmentVariable(OutputVariable);
        // Named "study" as in docs/reports.md: the folder's name is the entry's name on the page.
        string root = Path.Combine(Path.GetTempPath(), "scalelab-shot-" + Guid.NewGuid().ToString("N")[..10], "study");
        if (wanted is null)
        {
            await ServeProcess.RunAsync(TimeSpan.FromMinutes(2), "train", Path.Combine(RepositoryRoot(), "examples", "train", "linear-regression.json"),
                "--epochs", "2", "--out", Path.Combine(root, "runs", "lr"), "--progress", "plain", "--threads", "1");
        }
        else
        {
            await ServeProcess.RunAsync(TimeSpan.FromMinutes(6), "study", "--quick", "--out", root);
        }

        using var server = await ServeProcess.StartAsync(root);
        await using var page = await (await SystemChromium.Browser).NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
        await page.GoToAsync(server.Url.ToString(), new NavigationOptions { Timeout = 30_000 });
        string ready = wanted is null ? "#curves svg" : "#scaling svg";
        await page.WaitForFunctionAsync($"() => document.querySelector('{ready}') !== null", new WaitForFunctionOptions { Timeout = 30_000 });

        string png = wanted is null ? Path.Combine(root, "dashboard.png") : Path.GetFullPath(wanted);
        await page.ScreenshotAsync(png, new ScreenshotOptions { FullPage = true, Type = ScreenshotType.Png });

        byte[] bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        // IHDR follows the signature: width at bytes 16-19, big-endian.
        Assert.Equal(1280, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.InRange(bytes.Length, 10_000, 500_000);
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(thisFile)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleLab.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
