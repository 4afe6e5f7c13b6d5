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
    /// <summary>
    /// The most step records one trial's curve carries: a long run's (up to 200 an epoch) are thinned evenly to this
    /// many, its last kept, so a poll every two seconds stays a small answer.
    /// </summary>
    public const int MaxStepsPerTrial = 1000;

    /// <summary>How many parameter counts the fitted law and its band are given at, log-spaced over the fitted trials.</summary>
    public const int BandPoints = 40;

    /// <summary>The listing of <paramref name="root"/>, its trials read through <paramref name="sweeps"/> (the stores live in ScaleLab.Experiments).</summary>
    public static string Listing(string root, ISweepSource sweeps)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        return Listing(DashboardCatalog.List(root, sweeps), Folders(sweeps));
    }

    /// <summary>The listing of a results store: one entry per sweep it holds.</summary>
    public static string Listing(ISweepResults store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Listing(DashboardCatalog.List(store), Store(store));
    }

    public static string Entry(DashboardEntry entry, ISweepSource sweeps)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        return Entry(entry, Folders(sweeps));
    }

    /// <summary>One sweep of a results store (an entry of <see cref="DashboardCatalog.List(ISweepResults)"/>).</summary>
    public static string Entry(DashboardEntry entry, ISweepResults store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Entry(entry, Store(store));
    }

    /// <summary>How an entry's trials are read and what status each shows: from folders (through an ISweepSource) or from a store.</summary>
    private sealed record Reader(Func<DashboardEntry, SweepData?> Load, Func<DashboardEntry, TrialPoint, string> Status);

    private static Reader Folders(ISweepSource sweeps) => new(e => sweeps.Holds(e.Directory) ? sweeps.Load(e.Directory) : null, (e, t) => Status(e, t, sweeps));

    /// <summary>A store records every trial's status itself (queued, running, …), so it is shown as stored.</summary>
    private static Reader Store(ISweepResults store) =>
        new(e => new SweepData(e.Directory, e.Name, SweepData.StoreSource, StoreSweepReader.Points(store, e.StoreSweepId)), (_, t) => t.Status.ToText());

    private static string Listing(IReadOnlyList<DashboardEntry> entries, Reader reader) => JsonSerializer.Serialize(new ListingDocument("scalelab.dashboard/1",
        [.. entries.Select(e => ListingEntry.From(e, reader))]), ScaleLabJson.CompactDocument);

    private static string Entry(DashboardEntry entry, Reader reader)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sweep = reader.Load(entry);
        // A store's sweep may name a directory on another machine (or none): its folder files are read only when it is here.
        bool here = entry.Directory.Length > 0 && Directory.Exists(entry.Directory);
        string compression = Path.Combine(entry.Directory, CompressionResultsReader.FileName);
        return JsonSerializer.Serialize(new EntryDocument("scalelab.dashboard-entry/1", entry.Id, entry.Name, Kind(sweep),
            [.. (sweep?.Trials ?? []).Select(t => EntryTrial.From(t, reader.Status(entry, t)))],
            sweep is null ? null : Fit(sweep),
            here && File.Exists(compression) ? CompressionVariantJson.Read(compression) : [],
            here ? DashboardVerifyJson.Rows(entry.Directory) : []), ScaleLabJson.CompactDocument);
    }

    private sealed record ListingDocument(string Schema, IReadOnlyList<ListingEntry> Entries);

    /// <summary>One entry of the listing: its kind and how many of its trials are in each status.</summary>
    private sealed record ListingEntry(string Id, string Name, string Kind, int Trials, IReadOnlyDictionary<string, int> Status)
    {
        public static ListingEntry From(DashboardEntry entry, Reader reader)
        {
            var sweep = reader.Load(entry);
            var trials = sweep?.Trials ?? [];
            return new ListingEntry(entry.Id, entry.Name, DashboardJson.Kind(sweep), trials.Count,
                trials.GroupBy(t => reader.Status(entry, t)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
        }
    }

    private sealed record EntryDocument(string Schema, string Id, string Name, string Kind, IReadOnlyList<EntryTrial> Trials, EntryFit? Fit,
        IReadOnlyList<CompressionVariantJson> Compression, IReadOnlyList<VerifyRow> Verify);

    private sealed record EntryTrial(string Id, string Label, string Status, long Parameters, double? TrainingFlops, double? BestValLoss, double? ValAccuracy,
        double? TestAccuracy, double? TrainSeconds, IReadOnlyDictionary<string, double> Axes, IReadOnlyList<EntryEpoch> Epochs, IReadOnlyList<EntryStep> Steps)
    {
        public static EntryTrial From(TrialPoint t, string status) => new(t.Id, t.Label, status, t.Parameters, ScaleLabJson.Finite(t.TrainingFlops),
            ScaleLabJson.Finite(t.ValLoss), ScaleLabJson.Finite(t.ValAccuracy), ScaleLabJson.Finite(t.TestAccuracy), ScaleLabJson.Finite(t.TrainSeconds),
            t.Axes.Where(a => double.IsFinite(a.Value)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
            [.. t.Epochs.Select(e => new EntryEpoch(e.Epoch, ScaleLabJson.Finite(e.TrainLoss), ScaleLabJson.Finite(e.ValLoss), ScaleLabJson.Finite(e.ValAccuracy)))],
            [.. Thin(t.Steps).Select(s => new EntryStep(s.Step, s.EpochsDone, ScaleLabJson.Finite(s.TrainLoss)))]);
    }

    private sealed record EntryEpoch(int Epoch, double? TrainLoss, double? ValLoss, double? ValAccuracy);

    /// <summary>One step record: where it sits on the epoch axis (1.5 = halfway through epoch 2) and its window's mean training loss.</summary>
    private sealed record EntryStep(long Step, double EpochsDone, double? TrainLoss);

    /// <summary>
    /// The law's constants, the report's own wording of them (intervals, "not constrained" where the points do not pin
    /// one), and the law with its bootstrap band at <see cref="BandPoints"/> sizes: the same fit and
    /// <see cref="PowerLawFit.LossBand"/> the report's plot draws.
    /// </summary>
    private sealed record EntryFit(string Law, double E, double A, double Alpha, string Text, double ConfidenceLevel, IReadOnlyList<EntryBandPoint> Band);

    private sealed record EntryBandPoint(double Parameters, double Loss, double Lower, double Upper);

    /// <summary>At most <see cref="MaxStepsPerTrial"/> records, evenly spaced, the last one always kept.</summary>
    internal static IReadOnlyList<StepMetrics> Thin(IReadOnlyList<StepMetrics> steps)
    {
        if (steps.Count <= MaxStepsPerTrial) return steps;
        double stride = (steps.Count - 1) / (double)(MaxStepsPerTrial - 1);
        return [.. Enumerable.Range(0, MaxStepsPerTrial).Select(i => steps[(int)Math.Round(i * stride)])];
    }

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
        double lo = points.Min(p => p.X), hi = points.Max(p => p.X);
        var band = Enumerable.Range(0, BandPoints).Select(i => lo * Math.Pow(hi / lo, i / (double)(BandPoints - 1))).Select(x =>
        {
            var b = fit.LossBand(x);
            return new EntryBandPoint(x, fit.Loss(x), b.Lower, b.Upper);
        }).Where(b => double.IsFinite(b.Loss) && double.IsFinite(b.Lower) && double.IsFinite(b.Upper)).ToList();
        return new EntryFit("L(N) = E + A·N^(−α)", fit.E.Estimate, fit.A.Estimate, fit.Alpha.Estimate, Html.ScalingLawText.Law(fit), fit.ConfidenceLevel, band);
    }
}
