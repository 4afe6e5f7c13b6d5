using ScaleLab.Core.Runs;
using System.Globalization;
using System.Text.Json;
using ScaleLab.Core.Scaling;
using ScaleLab.Reports.Data;

namespace ScaleLab.Reports.Dashboard;

/// <summary>
/// The two documents the dashboard page polls: the listing (schema scalelab.dashboard/1) and one entry with its
/// trials' curves, the fitted law over parameters and any compression table (scalelab.dashboard-entry/1).
/// Units in key suffixes; raw numbers, formatted only by the page.
/// </summary>
public static class DashboardJson
{
    public static string Listing(string root, ISweepSource sweeps)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("schema", "scalelab.dashboard/1");
            w.WriteStartArray("entries");
            foreach (var entry in DashboardCatalog.List(root, sweeps))
            {
                var sweep = Load(entry, sweeps);
                var trials = sweep?.Trials ?? [];
                w.WriteStartObject();
                w.WriteString("id", entry.Id);
                w.WriteString("name", entry.Name);
                w.WriteString("kind", Kind(sweep));
                w.WriteNumber("trials", trials.Count);
                w.WriteStartObject("status");
                foreach (var group in trials.GroupBy(t => Status(entry, t, sweeps)).OrderBy(g => g.Key, StringComparer.Ordinal)) w.WriteNumber(group.Key, group.Count());
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Entry(DashboardEntry entry, ISweepSource sweeps)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(sweeps);
        var sweep = Load(entry, sweeps);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("schema", "scalelab.dashboard-entry/1");
            w.WriteString("id", entry.Id);
            w.WriteString("name", entry.Name);
            w.WriteString("kind", Kind(sweep));
            w.WriteStartArray("trials");
            foreach (var t in sweep?.Trials ?? []) Trial(w, entry, t, sweeps);
            w.WriteEndArray();
            if (sweep is null) w.WriteNull("fit");
            else Fit(w, sweep);
            Compression(w, entry.Directory);
            DashboardVerifyJson.Write(w, entry.Directory);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The entry's trials, or null for a folder that holds only a verify.json.</summary>
    private static SweepData? Load(DashboardEntry entry, ISweepSource sweeps) => sweeps.Holds(entry.Directory) ? sweeps.Load(entry.Directory) : null;

    private static string Kind(SweepData? sweep) => sweep is null ? "verify" : sweep.Source == "run directory" ? "run" : "sweep";

    /// <summary>A run directory without summary.json is still training or was stopped: the page cannot tell which, so it says neither.</summary>
    private static string Status(DashboardEntry entry, TrialPoint t, ISweepSource sweeps) =>
        t.Status == TrialStatus.Failed && !File.Exists(Path.Combine(entry.Directory, RunFiles.SummaryFile))
        && !File.Exists(Path.Combine(entry.Directory, SweepFiles.TrialsFolder, t.Id, RunFiles.SummaryFile))
        && !sweeps.HasStore(entry.Directory) ? "unfinished" : t.Status.ToText();

    private static void Trial(Utf8JsonWriter w, DashboardEntry entry, TrialPoint t, ISweepSource sweeps)
    {
        w.WriteStartObject();
        w.WriteString("id", t.Id);
        w.WriteString("label", t.Label);
        w.WriteString("status", Status(entry, t, sweeps));
        w.WriteNumber("parameters", t.Parameters);
        Optional(w, "best_val_loss", t.ValLoss);
        Optional(w, "val_accuracy", t.ValAccuracy);
        Optional(w, "test_accuracy", t.TestAccuracy);
        Optional(w, "train_seconds", t.TrainSeconds);
        w.WriteStartArray("epochs");
        foreach (var e in t.Epochs)
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", e.Epoch);
            Optional(w, "train_loss", double.IsFinite(e.TrainLoss) ? e.TrainLoss : null);
            Optional(w, "val_loss", e.ValLoss);
            Optional(w, "val_accuracy", e.ValAccuracy);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>L(N) = E + A·N^(−α) over the completed trials, when there are enough distinct sizes to fit (as `scalelab fit`).</summary>
    private static void Fit(Utf8JsonWriter w, SweepData sweep)
    {
        var (points, _) = SweepFitInput.PowerLaw(sweep, FitAxis.Params, FitTarget.ValLoss);
        if (points.Select(p => p.X).Distinct().Count() < 3)
        {
            w.WriteNull("fit");
            return;
        }

        var fit = PowerLawFitter.Fit(points, "params", new ScalingFitOptions { BootstrapSamples = 100 });
        w.WriteStartObject("fit");
        w.WriteString("law", "L(N) = E + A·N^(−α)");
        w.WriteNumber("e", fit.E.Estimate);
        w.WriteNumber("a", fit.A.Estimate);
        w.WriteNumber("alpha", fit.Alpha.Estimate);
        // The report's own wording: the constants with their intervals, and "not constrained" where the points do not pin one.
        w.WriteString("text", Html.ScalingLawText.Law(fit));
        w.WriteEndObject();
    }

    private static void Compression(Utf8JsonWriter w, string directory)
    {
        string path = Path.Combine(directory, CompressionResultsReader.FileName);
        w.WriteStartArray("compression");
        if (File.Exists(path))
        {
            foreach (var p in CompressionResultsReader.Read(path))
            {
                w.WriteStartObject();
                w.WriteString("label", p.Label);
                w.WriteNumber("accuracy", p.Accuracy);
                w.WriteNumber("file_bytes", p.Bytes);
                w.WriteNumber("latency_batch64_seconds", p.LatencySeconds);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    private static void Optional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
