using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ScaleLab.Core.Runs;
using ScaleLab.Core;
using ScaleLab.Core.Formatting;
using ScaleLab.Core.Scaling;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;
using ScaleLab.Reports;
using ScaleLab.Torch.Data;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `scalelab study`: the main job. A width sweep of the seed MLP on the embedded Fashion-MNIST subset → a fit of
/// L(N) = E + A·N^(−α) to best validation loss against parameters → the report, with where to find it.
/// Re-running it resumes, like any sweep.
/// </summary>
internal sealed class StudyCommand
{
    private readonly Option<string> Out = new("--out") { Description = "Study directory (a sweep directory: results.db, trials/, the report)", DefaultValueFactory = _ => "study" };
    private readonly Option<bool> Quick = new("--quick") { Description = "Five widths, one epoch on 2,000 samples: a smoke test in well under a minute" };
    private readonly Option<int?> Workers = new("--workers") { Description = "Trials run at once [default: one per core, at most one per trial; each trial gets cores / workers threads]" };
    private readonly Option<string?> Store = StoreOption.Create();

    /// <summary>A new command with its own options: System.CommandLine symbols record their parents, so two commands never share one.</summary>
    public static Command Create() => new StudyCommand().Build();

    private Command Build()
    {
        var command = new Command("study",
            "The main job: train the seed MLP at six widths (25 K → 1.4 M parameters) on the embedded Fashion-MNIST subset, "
            + "fit L(N) = E + A·N^(−α) to validation loss with bootstrap intervals, and write the report. About half a minute on 2 cores.\n\n"
            + "Example:\n  scalelab study --out study");
        foreach (var option in (Option[])[Out, Quick, Workers, Store]) command.Options.Add(option);
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            bool quick = parse.GetValue(Quick);
            string directory = OutputFolder.Prepare(Path.GetFullPath(parse.GetValue(Out)!), "--out");
            var sweep = StudySweep.Create(quick);
            var options = new SweepRunOptions(parse.GetValue(Workers) ?? StudySweep.DefaultWorkers(quick, Environment.ProcessorCount));
            var started = DateTime.UtcNow;
            var location = StoreOption.Resolve(parse, Store);
            var result = await Task.Run(() => SweepProgressView.Run(output,
                progress => new SweepRunner(directory, TrialCommand.Current(), progress, location).Run(sweep, options, ct)), ct).ConfigureAwait(false);
            var store = location?.OpenExisting() ?? SqliteResultsStore.OpenExisting(directory);
            SweepStatusTable.Write(output, result.Directory, store.Location, store.Sweeps().Where(s => s.Name == sweep.Name).ToList(), result.Trials);
            // The points `scalelab fit DIR` would take (SweepFitInput: completed trials, measured parameters, best validation loss).
            var data = location is null ? SweepLoader.Instance.Load(directory) : SweepLoader.FromStore(store, sweep.Name);
            var fit = PowerLawFitter.Fit(SweepFitInput.PowerLaw(data, FitAxis.Params, FitTarget.ValLoss).Points, FitAxis.Params.Name());
            output.WriteLine();
            foreach (string line in Describe(fit)) output.WriteLine(line);
            string report = Path.Combine(directory, "report.html");
            // With --store the results are in that database, not DIR/results.db: the report reads them from there.
            var html = SweepReport.Build(data);
            html.Save(report);
            output.WriteLine($"report: {report}");
            output.WriteLine($"study took {HumanUnits.Duration((DateTime.UtcNow - started).TotalSeconds)}; results in {store.Location}");
            (store as IDisposable)?.Dispose();
            return CliApp.ExitOk;
        });
        return command;
    }

    internal static IEnumerable<string> Describe(PowerLawFit fit)
    {
        string I(FitInterval i, string format) =>
            $"{i.Estimate.ToString(format, CultureInfo.InvariantCulture)} [{i.Lower.ToString(format, CultureInfo.InvariantCulture)}, {i.Upper.ToString(format, CultureInfo.InvariantCulture)}]";
        string level = (fit.ConfidenceLevel * 100).ToString("0", CultureInfo.InvariantCulture);
        yield return $"fit: L(N) = E + A·N^(−α) over {fit.Points.Count} trials ({level}% bootstrap intervals)";
        yield return $"  E = {I(fit.E, "0.0000")}   A = {I(fit.A, "G4")}   α = {I(fit.Alpha, "0.000")}";
        yield return $"  log RMSE {fit.Quality.LogRmse.ToString("0.0000", CultureInfo.InvariantCulture)}, R² (log) {fit.Quality.LogRSquared.ToString("0.000", CultureInfo.InvariantCulture)}";
        var cut = fit.ReducibleLossCutPerDoubling;
        if (fit.Alpha.IsUnconstrained)
        {
            yield return "  α is not constrained by these points: no rate per doubling can be stated (a wider range of widths would pin it)";
            yield break;
        }
        yield return $"  doubling parameters cuts the reducible loss (L − E) by {(cut.Estimate * 100).ToString("0.0", CultureInfo.InvariantCulture)}% "
            + $"[{(cut.Lower * 100).ToString("0.0", CultureInfo.InvariantCulture)}, {(cut.Upper * 100).ToString("0.0", CultureInfo.InvariantCulture)}]";
        if (fit.E.IsUnconstrained)
            yield return "  E is not constrained by these points: where the loss stops falling is not known (larger models or more epochs would show it)";
    }
}
