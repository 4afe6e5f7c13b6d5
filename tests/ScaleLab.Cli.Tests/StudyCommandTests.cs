using System.Diagnostics;
using ScaleLab.Core.Runs;
using ScaleLab.Cli.Commands;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Cli.Tests;

public sealed class StudyCommandTests
{
    [Fact]
    public void Study_SweepsSixWidthsOfTheSeedMlpSpanning56TimesOnTheEmbeddedData()
    {
        var plans = SweepExpansion.Expand(StudySweep.Create(quick: false));

        Assert.Equal([25_073L, 52_121, 108_367, 236_203, 550_385, 1_413_260], plans.Select(p => p.EstimatedParameters));
        Assert.All(plans, p => Assert.Equal(2, p.Config.Epochs));
        Assert.All(plans, p => Assert.Equal(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist"), p.Config.Data.Directory));
    }

    [Fact]
    public async Task StudyQuick_RunsFiveTrialsAndFitsThem()
    {
        string dir = Path.Combine(Path.GetTempPath(), "scalelab-study-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "scalelab.dll"), "study", "--quick", "--out", dir]) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string output = await process.StandardOutput.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "study --quick did not finish within 4 minutes");
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}\n{output}");

            var trials = SqliteResultsStore.OpenExisting(dir).Trials();
            Assert.Equal([25_073L, 52_121, 108_367, 236_203, 550_385], trials.Select(t => t.Result!.Parameters));
            Assert.All(trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
            Assert.Contains("fit: L(N) = E + A·N^(−α) over 5 trials (95% bootstrap intervals)", output, StringComparison.Ordinal);
            Assert.Contains("doubling parameters cuts the reducible loss (L − E) by ", output, StringComparison.Ordinal);

            // The dashboard over the study directory itself: one entry, '~', with the five trials and a fitted law.
            string listing = ScaleLab.Reports.Dashboard.DashboardJson.Listing(dir, SweepLoader.Instance);
            SchemaValidation.AssertValid("dashboard.schema.json", listing);
            var entry = Assert.Single(ScaleLab.Reports.Dashboard.DashboardCatalog.List(dir, SweepLoader.Instance));
            Assert.Equal(ScaleLab.Reports.Dashboard.DashboardCatalog.RootId, entry.Id);
            string json = ScaleLab.Reports.Dashboard.DashboardJson.Entry(entry, SweepLoader.Instance);
            SchemaValidation.AssertValid("dashboard-entry.schema.json", json);
            var root = System.Text.Json.JsonDocument.Parse(json).RootElement;
            Assert.Equal(5, root.GetProperty("trials").GetArrayLength());
            Assert.Equal(System.Text.Json.JsonValueKind.Object, root.GetProperty("fit").ValueKind);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
