using ScaleLab.Experiments.Store;
using ScaleLab.Core.Runs;
using System.Text.RegularExpressions;
using ScaleLab.Reports.Data;

namespace ScaleLab.Reports.Tests;

public sealed partial class SweepReportTests
{
    private static readonly Lazy<(string Directory, string Html)> FromStore = new(() =>
    {
        string dir = SweepFixture.Store();
        return (dir, SweepReport.Build(dir, SweepLoader.Instance, new Core.Scaling.ScalingFitOptions { BootstrapSamples = 100 }).ToHtml());
    });

    [Fact]
    public void Load_Store_ReadsTrialsWithBestEpochFigures()
    {
        var sweep = SweepLoader.Instance.Load(FromStore.Value.Directory);
        Assert.Equal("results.db", sweep.Source);
        Assert.Equal("mlp-width", sweep.Name);
        Assert.Equal(7, sweep.Trials.Count);
        Assert.Equal(6, sweep.Completed.Count);
        var w64 = sweep.Trials.Single(t => t.Id == "w64");
        Assert.Equal(SweepFixture.Parameters(64), w64.Parameters);
        Assert.Equal(SweepFixture.Curve(64).Min(c => c.ValLoss), w64.ValLoss!.Value, 12);
        Assert.Equal(64, w64.Axes["width"]);
        Assert.Equal(3.0 * 2 * SweepFixture.Parameters(64) * 64, w64.EstimatedStepFlops!.Value, 6);
    }

    [Fact]
    public void Load_RunDirectories_ReadsTheSameTrials()
    {
        var sweep = SweepLoader.Instance.Load(SweepFixture.RunDirectories());
        Assert.Equal("run directories", sweep.Source);
        Assert.Equal(["w128", "w16", "w256", "w32", "w64", "w8"], sweep.Trials.Select(t => t.Id));
        Assert.All(sweep.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.Equal(SweepFixture.Parameters(256), sweep.Trials.Single(t => t.Id == "w256").Parameters);
    }

    /// <summary>Issue 9: the page prints a figure as `sweep status` does (HumanUnits: binary units for bytes, SI prefixes for counts), e.g. 306,400,000 B as "292.21 MiB", never "306.4MB".</summary>
    [Fact]
    public void Html_FormatsBytesAndCountsAsTheCliDoes()
    {
        string html = FromStore.Value.Html;
        long w64Rss = 300_000_000 + (64 * 100_000L);
        Assert.Contains(Core.Formatting.HumanUnits.Bytes(w64Rss), html, StringComparison.Ordinal);
        Assert.Equal("292.21 MiB", Core.Formatting.HumanUnits.Bytes(w64Rss));
        Assert.Contains($">{Core.Formatting.HumanUnits.Count(SweepFixture.Parameters(64))}</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("306.4MB", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_OfAStore_HoldsEveryTrialWithItsCurve()
    {
        using var json = System.Text.Json.JsonDocument.Parse(SweepReportJson.Write(FromStore.Value.Directory, SweepLoader.Instance));
        var root = json.RootElement;
        Assert.Equal(("scalelab.report/1", "results.db", 7), (root.GetProperty("schema").GetString(), root.GetProperty("source").GetString(), root.GetProperty("trials").GetArrayLength()));
        var w64 = root.GetProperty("trials").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "w64");
        Assert.Equal(SweepFixture.Parameters(64), w64.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal(4, w64.GetProperty("epochs").GetArrayLength());
    }

    [Fact]
    public void Html_IsSelfContained_NoExternalAssetsOrLinks()
    {
        string html = FromStore.Value.Html;
        Assert.DoesNotMatch(@"(src|href)\s*=\s*""(https?:)?//", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<style>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_EmbedsEveryPlotAsADecodablePng()
    {
        var images = ImageData().Matches(FromStore.Value.Html);
        // loss vs params, loss vs FLOPs, accuracy, learning curves, step time, memory, parallel coordinates
        Assert.Equal(7, images.Count);
        foreach (Match m in images)
        {
            var (w, h) = PngFile.Size(Convert.FromBase64String(m.Groups[1].Value));
            Assert.True(w >= 820 && h >= 560, $"{w}×{h}");
        }
    }

    [Fact]
    public void Html_StatesTheLawInWords()
    {
        string html = FromStore.Value.Html;
        File.WriteAllText("/tmp/fit-report.html", html);
        Assert.Matches(@"Doubling parameters lowers the reducible loss \(L − E\) by \d+\.\d%", html);
        Assert.Contains("L(params) = ", html, StringComparison.Ordinal);
        Assert.Contains("1 trial(s) left out", html, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"src=""data:image/png;base64,([A-Za-z0-9+/=]+)""")]
    private static partial Regex ImageData();
}
