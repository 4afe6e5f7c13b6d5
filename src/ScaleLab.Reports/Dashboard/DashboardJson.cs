using System.Text.Json;
using ScaleLab.Core.Json;
using ScaleLab.Core.Runs;
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
    /// <summary>The listing of <paramref name="root"/>, its trials read through <paramref name="sweeps"/> (the stores live in ScaleLab.Experiments).</summary>
    public static string Listing(string root, ISweepSource sweeps) => JsonSerializer.Serialize(new ListingDocument("scalelab.dashboard/1",
        [.. DashboardCatalog.List(root, sweeps).Select(e => ListingEntry.From(e, sweeps))]), ScaleLabJson.CompactDocument);

    public static string Entry(DashboardEntry entry, ISweepSource sweeps)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(sweeps);
        var sweep = Load(entry, sweeps);
        string compression = Path.Combine(entry.Directory, CompressionResultsReader.FileName);
        return JsonSerializer.Serialize(new EntryDocument("scalelab.dashboard-entry/1", entry.Id, entry.Name, Kind(sweep),
            [.. (sweep?.Trials ?? []).Select(t => EntryTrial.From(t, Status(entry, t, sweeps)))],
            sweep is null ? null : Fit(sweep),
            File.Exists(compression) ? CompressionVariantJson.Read(compression) : [],
            DashboardVerifyJson.Rows(entry.Directory)), ScaleLabJson.CompactDocument);
    }

    private sealed record ListingDocument(string Schema, IReadOnlyList<ListingEntry> Entries);

    /// <summary>One entry of the listing: its kind and how many of its trials are in each status.</summary>
    private sealed record ListingEntry(string Id, string Name, string Kind, int Trials, IReadOnlyDictionary<string, int> Status)
    {
        public static ListingEntry From(DashboardEntry entry, ISweepSource sweeps)
        {
            var sweep = Load(entry, sweeps);
            var trials = sweep?.Trials ?? [];
            return new ListingEntry(entry.Id, entry.Name, DashboardJson.Kind(sweep), trials.Count,
                trials.GroupBy(t => DashboardJson.Status(entry, t, sweeps)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
        }
    }

    private sealed record EntryDocument(string Schema, string Id, string Name, string Kind, IReadOnlyList<EntryTrial> Trials, EntryFit? Fit,
        IReadOnlyList<CompressionVariantJson> Compression, IReadOnlyList<VerifyRow> Verify);

    private sealed record EntryTrial(string Id, string Label, string Status, long Parameters, double? BestValLoss, double? ValAccuracy,
        double? TestAccuracy, double? TrainSeconds, IReadOnlyList<EntryEpoch> Epochs)
    {
        public static EntryTrial From(TrialPoint t, string status) => new(t.Id, t.Label, status, t.Parameters, ScaleLabJson.Finite(t.ValLoss),
            ScaleLabJson.Finite(t.ValAccuracy), ScaleLabJson.Finite(t.TestAccuracy), ScaleLabJson.Finite(t.TrainSeconds),
            [.. t.Epochs.Select(e => new EntryEpoch(e.Epoch, ScaleLabJson.Finite(e.TrainLoss), ScaleLabJson.Finite(e.ValLoss), ScaleLabJson.Finite(e.ValAccuracy)))]);
    }

    private sealed record EntryEpoch(int Epoch, double? TrainLoss, double? ValLoss, double? ValAccuracy);

    /// <summary>The law's constants and the report's own wording of them (intervals, "not constrained" where the points do not pin one).</summary>
    private sealed record EntryFit(string Law, double E, double A, double Alpha, string Text);

    /// <summary>The entry's trials, or null for a folder that holds only a verify.json.</summary>
    private static SweepData? Load(DashboardEntry entry, ISweepSource sweeps) => sweeps.Holds(entry.Directory) ? sweeps.Load(entry.Directory) : null;

    private static string Kind(SweepData? sweep) => sweep is null ? "verify" : sweep.Source == "run directory" ? "run" : "sweep";

    /// <summary>A run directory without summary.json is still training or was stopped: the page cannot tell which, so it says neither.</summary>
    private static string Status(DashboardEntry entry, TrialPoint t, ISweepSource sweeps) =>
        t.Status == TrialStatus.Failed && !File.Exists(Path.Combine(entry.Directory, RunFiles.SummaryFile))
        && !File.Exists(Path.Combine(entry.Directory, SweepFiles.TrialsFolder, t.Id, RunFiles.SummaryFile))
        && !sweeps.HasStore(entry.Directory) ? "unfinished" : t.Status.ToText();

    /// <summary>L(N) = E + A·N^(−α) over the completed trials, when there are enough distinct sizes to fit (as `scalelab fit`).</summary>
    private static EntryFit? Fit(SweepData sweep)
    {
        var (points, _) = SweepFitInput.PowerLaw(sweep, FitAxis.Params, FitTarget.ValLoss);
        if (points.Select(p => p.X).Distinct().Count() < 3) return null;
        var fit = PowerLawFitter.Fit(points, "params", new ScalingFitOptions { BootstrapSamples = 100 });
        return new EntryFit("L(N) = E + A·N^(−α)", fit.E.Estimate, fit.A.Estimate, fit.Alpha.Estimate, Html.ScalingLawText.Law(fit));
    }
}
