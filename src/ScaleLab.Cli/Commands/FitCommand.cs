using ScaleLab.Core.Runs;
using System.CommandLine;
using System.Globalization;
using ScaleLab.Cli.Rendering;
using ScaleLab.Core;
using ScaleLab.Core.Scaling;
using ScaleLab.Experiments.Store;
using ScaleLab.Reports.Data;
using ScaleLab.Reports.Html;
using Spectre.Console;
using Terminal = ScaleLab.Cli.Rendering.Terminal;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab fit DIR | --csv FILE`: scaling laws with bootstrap intervals (the fitter is ScaleLab.Core.Scaling; this only parses and prints).</summary>
internal sealed class FitCommand
{
    private readonly Argument<string?> Directory = new("dir") { Description = "A sweep directory (results.db or trials/*/) or one run directory", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string> X = new("--x") { Description = "params | flops | data: the size the one-variable law is fitted over", DefaultValueFactory = _ => "params" };
    private readonly Option<string> Y = new("--y") { Description = "val_loss | error: validation loss or error (1 − accuracy) at the best epoch", DefaultValueFactory = _ => "val_loss" };
    private readonly Option<double?> Predict = new("--predict") { Description = "Extrapolate the law to this size (parameters, FLOPs or samples; with the joint law, parameters) with a prediction interval" };
    private readonly Option<double?> PredictTokens = new("--predict-tokens") { Description = "With the joint law: the tokens (or samples) of the --predict point" };
    private readonly Option<double?> Budget = new("--budget") { Description = "Compute budget C in FLOPs: the compute-optimal N and D under C ≈ 6ND (needs the joint law)" };
    private readonly Option<string?> Csv = new("--csv") { Description = "Fit published or external results from a CSV with a header line instead of a sweep" };
    private readonly Option<string> NCol = new("--n-col") { Description = "CSV column of parameters", DefaultValueFactory = _ => "params" };
    private readonly Option<string> DCol = new("--d-col") { Description = "CSV column of training tokens (derived as C/(6N) when absent)", DefaultValueFactory = _ => "tokens" };
    private readonly Option<string> CCol = new("--c-col") { Description = "CSV column of training FLOPs", DefaultValueFactory = _ => "flops" };
    private readonly Option<string> LossCol = new("--loss-col") { Description = "CSV column of the loss", DefaultValueFactory = _ => "loss" };
    private readonly Option<int> Bootstrap = new("--bootstrap") { Description = "Bootstrap refits behind the intervals", DefaultValueFactory = _ => 400 };
    private readonly Option<int> Seed = new("--seed") { Description = "Seed of the bootstrap resampling", DefaultValueFactory = _ => 0 };
    private readonly Option<string?> Store = StoreOption.Create();
    private readonly Option<string?> SweepName = StoreOption.CreateSweepName();
    private readonly Option<bool> Json = new("--json") { Description = "Print the fit as one JSON document, schema scalelab.fit/1 (docs/schemas/fit.schema.json): fit.E, fit.A, fit.B, fit.alpha, fit.beta with lower/upper" };

    /// <summary>A new command with its own options: System.CommandLine symbols record their parents, so two commands never share one.</summary>
    public static Command Create() => new FitCommand().Build();

    private Command Build()
    {
        var command = new Command("fit",
            "Fit scaling laws L(x) = E + A·x^(−α) and, when parameters and data both vary, L(N, D) = E + A/N^α + B/D^β, as Hoffmann et al. 2022 did "
            + "(Huber loss on log residuals, L-BFGS from a grid of starts), with bootstrap 95% intervals, goodness of fit, extrapolation and the "
            + "compute-optimal split of a budget (docs/scaling.md).\n\n"
            + "Examples:\n  scalelab fit sweeps/mlp-width --x params --predict 1e7\n  scalelab fit --store sqlite:sweeps/mlp-width/results.db --sweep mlp-width\n  scalelab fit --csv examples/scaling/chinchilla.csv --n-col params --d-col tokens --loss-col loss --budget 5.76e23 --json");
        command.Arguments.Add(Directory);
        foreach (var o in (Option[])[X, Y, Predict, PredictTokens, Budget, Csv, NCol, DCol, CCol, LossCol, Bootstrap, Seed, Store, SweepName, Json]) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var options = new ScalingFitOptions { BootstrapSamples = parse.GetValue(Bootstrap), Seed = parse.GetValue(Seed) };
            string? csv = parse.GetValue(Csv), dir = parse.GetValue(Directory);
            // --store counts only when given on the command line here: $SCALELAB_STORE must not turn `fit DIR` into a database read.
            var store = parse.GetValue(Store) is { } url ? StoreLocation.Parse(url) : null;
            if (new[] { csv is not null, dir is not null, store is not null }.Count(x => x) != 1)
                throw new ScaleLabException("fit: give one of a sweep directory (scalelab fit DIR), --store URL or --csv FILE");
            var result = csv is not null
                ? ScalingStudyFit.FromCsv(csv, new ScalingCsvColumns(parse.GetValue(NCol)!, parse.GetValue(DCol)!, parse.GetValue(CCol)!, parse.GetValue(LossCol)!), options)
                : ScalingStudyFit.FromSweep(dir is not null ? SweepLoader.Instance.Load(dir) : LoadFromStore(store!, parse.GetValue(SweepName)), dir ?? store!.Display,
                    ParseAxis(parse.GetValue(X)!), ParseTarget(parse.GetValue(Y)!), options);
            var request = new FitRequest(parse.GetValue(Predict), parse.GetValue(PredictTokens), parse.GetValue(Budget));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(Json)) output.WriteLine(FitJson.Write(result, request));
            else Print(Terminal.For(output), result, request);
            return CliApp.ExitOk;
        });
        return command;
    }

    internal static SweepData LoadFromStore(StoreLocation location, string? sweepName)
    {
        var store = location.OpenExisting();
        try
        {
            return SweepLoader.FromStore(store, sweepName);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private static void Print(IAnsiConsole console, FitResult r, FitRequest request)
    {
        console.WriteLine(F($"source: {r.Source}; target: {r.Target}") + (r.LeftOut > 0 ? F($"; {r.LeftOut} trial(s) left out (not completed or missing the figure)") : ""));
        if (r.Note is not null) console.WriteLine("note: " + r.Note);
        if (r.PowerLaw is { } p)
        {
            console.WriteLine();
            console.Write(ConstantsTable(F($"L({p.Variable}) = E + A·{p.Variable}^(−α)"), p.ConfidenceLevel, [("E", p.E), ("A", p.A), ("α", p.Alpha)]));
            console.WriteLine(ScalingLawText.Doubling(p, p.Variable == "params" ? "parameters" : p.Variable == "flops" ? "training compute" : "training data"));
            console.WriteLine(ScalingLawText.Quality(p.Quality));
            if (request.Predict is { } x && r.Joint is null) console.WriteLine(ScalingLawText.Prediction(p, x, p.Predict(x)));
        }
        if (r.Joint is { } j)
        {
            console.WriteLine();
            console.Write(ConstantsTable("L(N, D) = E + A/N^α + B/D^β", j.ConfidenceLevel, [("E", j.E), ("A", j.A), ("B", j.B), ("α", j.Alpha), ("β", j.Beta)]));
            console.WriteLine(ScalingLawText.Quality(j.Quality));
            if (request.Predict is { } n)
            {
                double d = request.PredictTokens ?? throw new ScaleLabException("--predict with the joint law also needs --predict-tokens D (the tokens or samples of that run)");
                var at = j.Predict(n, d);
                console.WriteLine(F($"At N = {n:G4}, D = {d:G4} the law predicts loss {at.Loss.Estimate:G4} (law interval {at.Loss.Lower:G4}–{at.Loss.Upper:G4}; prediction interval {at.PredictionLower:G4}–{at.PredictionUpper:G4})."));
            }
        }
        if (request.Budget is { } c)
        {
            var joint = r.Joint ?? throw new ScaleLabException("--budget needs the joint law L(N, D): the trials must vary both parameters and data (at least 3 values each, not in lockstep)");
            console.WriteLine(ScalingLawText.ComputeOptimal(joint.ComputeOptimal(c)));
        }
    }

    private static Table ConstantsTable(string title, double level, (string Name, FitInterval Value)[] rows)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        table.AddColumn("constant");
        table.AddColumn(new TableColumn("estimate").RightAligned());
        table.AddColumn(new TableColumn(F($"{level:0%} lower")).RightAligned());
        table.AddColumn(new TableColumn(F($"{level:0%} upper")).RightAligned());
        // One format per column (ColumnFormat): E's lower bound near 0 must not turn the column into a mix of notations.
        var estimates = ColumnFormat.Apply([.. rows.Select(r => r.Value.Estimate)], 5);
        var lowers = ColumnFormat.Apply([.. rows.Select(r => r.Value.Lower)], 5);
        var uppers = ColumnFormat.Apply([.. rows.Select(r => r.Value.Upper)], 5);
        for (int i = 0; i < rows.Length; i++) table.AddRow(rows[i].Name, estimates[i], lowers[i], uppers[i]);
        return table;
    }

    internal static FitAxis ParseAxis(string text) => text switch
    {
        "params" => FitAxis.Params,
        "flops" => FitAxis.Flops,
        "data" => FitAxis.Data,
        _ => throw new ScaleLabException($"--x: '{text}' is not a size; use params, flops or data"),
    };

    internal static FitTarget ParseTarget(string text) => text switch
    {
        "val_loss" => FitTarget.ValLoss,
        "error" => FitTarget.Error,
        _ => throw new ScaleLabException($"--y: '{text}' is not a target; use val_loss or error"),
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
