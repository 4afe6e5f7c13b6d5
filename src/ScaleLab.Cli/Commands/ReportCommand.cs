using ScaleLab.Core.Runs;
using System.CommandLine;
using ScaleLab.Core;
using ScaleLab.Experiments.Store;
using ScaleLab.Reports;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab report DIR [--out FILE]`: the self-contained HTML report of a sweep or a run (built by ScaleLab.Reports.SweepReport).</summary>
internal sealed class ReportCommand
{
    private readonly Argument<string?> Directory = new("dir") { Description = "A sweep directory (results.db or trials/*/) or one run directory; or give --store", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> Store = StoreOption.Create();
    private readonly Option<string?> SweepName = StoreOption.CreateSweepName();
    private readonly Option<string?> Out = new("--out") { Description = "The HTML file to write (default DIR/report.html)" };
    private readonly Option<bool> Json = new("--json") { Description = "Print the data behind the report (trials' points, compression variants) as one JSON document, schema scalelab.report/1 (docs/schemas/report.schema.json), and write no HTML" };

    /// <summary>A new command with its own options: System.CommandLine symbols record their parents, so two commands never share one.</summary>
    public static Command Create() => new ReportCommand().Build();

    private Command Build()
    {
        var command = new Command("report",
            "Write a self-contained HTML report (plots embedded, no external links): trials table, the scaling law with its band and "
            + "its meaning in words, loss vs compute frontier, accuracy vs parameters, learning curves, measured vs estimated time "
            + "and memory, sweep axes vs loss, and the compression Pareto plot when DIR holds compression.json. For one run "
            + "directory it also writes learning-curves.png (and confusion-matrix.png from confusion.json) beside the run.\n\n"
            + "Examples:\n  scalelab report sweeps/mlp-width --out mlp-width.html\n  scalelab report sweeps/mlp-width --json\n"
            + "  scalelab report --store postgresql://scalelab@db:5432/study --sweep mlp-width --out mlp-width.html");
        command.Arguments.Add(Directory);
        foreach (var o in (Option[])[Out, Json, Store, SweepName]) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string? dir = parse.GetValue(Directory);
            var store = parse.GetValue(Store) is { } url ? StoreLocation.Parse(url) : null;
            if ((dir is null) == (store is null)) throw new ScaleLabException("report: give a sweep or run directory (scalelab report DIR) or --store URL, not both");
            if (store is not null) return FromStore(parse, store);
            ArgumentNullException.ThrowIfNull(dir);
            if (parse.GetValue(Json))
            {
                parse.InvocationConfiguration.Output.WriteLine(SweepReportJson.Write(dir, SweepLoader.Instance));
                return CliApp.ExitOk;
            }
            string path = parse.GetValue(Out) ?? Path.Combine(dir, "report.html");
            var report = SweepReport.Build(dir, SweepLoader.Instance);
            report.Save(path);
            if (File.Exists(Path.Combine(dir, RunFiles.MetricsFile))) RunPlots.WriteForRun(dir);
            parse.InvocationConfiguration.Output.WriteLine($"report: {Path.GetFullPath(path)}");
            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>The report of one sweep of a shared store, from the database alone (default file: NAME-report.html here).</summary>
    private int FromStore(ParseResult parse, StoreLocation store)
    {
        var sweep = FitCommand.LoadFromStore(store, parse.GetValue(SweepName));
        var output = parse.InvocationConfiguration.Output;
        if (parse.GetValue(Json))
        {
            output.WriteLine(SweepReportJson.Write(sweep));
            return CliApp.ExitOk;
        }
        string path = Path.GetFullPath(parse.GetValue(Out) ?? sweep.Name + "-report.html");
        SweepReport.Build(sweep).Save(path);
        output.WriteLine($"report: {path}");
        return CliApp.ExitOk;
    }
}
