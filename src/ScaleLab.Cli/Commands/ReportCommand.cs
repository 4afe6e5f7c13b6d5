using System.CommandLine;
using ScaleLab.Reports;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab report DIR [--out FILE]`: the self-contained HTML report of a sweep or a run (built by ScaleLab.Reports.SweepReport).</summary>
internal static class ReportCommand
{
    private static readonly Argument<string> Directory = new("dir") { Description = "A sweep directory (results.db or trials/*/) or one run directory" };
    private static readonly Option<string?> Out = new("--out") { Description = "The HTML file to write (default DIR/report.html)" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the data behind the report (trials' points, compression variants) as one JSON document, schema scalelab.report/1 (docs/schemas/report.schema.json), and write no HTML" };

    public static Command Create()
    {
        var command = new Command("report",
            "Write a self-contained HTML report (plots embedded, no external links): trials table, the scaling law with its band and "
            + "its meaning in words, loss vs compute frontier, accuracy vs parameters, learning curves, measured vs estimated time "
            + "and memory, sweep axes vs loss, and the compression Pareto plot when DIR holds compression.json. For one run "
            + "directory it also writes learning-curves.png (and confusion-matrix.png from confusion.json) beside the run.\n\n"
            + "Examples:\n  scalelab report sweeps/mlp-width --out mlp-width.html\n  scalelab report sweeps/mlp-width --json");
        command.Arguments.Add(Directory);
        command.Options.Add(Out);
        command.Options.Add(Json);
        command.SetAction(parse =>
        {
            string dir = parse.GetValue(Directory)!;
            if (parse.GetValue(Json))
            {
                parse.InvocationConfiguration.Output.WriteLine(SweepReportJson.Write(dir));
                return CliApp.ExitOk;
            }
            string path = parse.GetValue(Out) ?? Path.Combine(dir, "report.html");
            var report = SweepReport.Build(dir);
            report.Save(path);
            if (File.Exists(Path.Combine(dir, "metrics.jsonl"))) RunPlots.WriteForRun(dir);
            parse.InvocationConfiguration.Output.WriteLine($"report: {Path.GetFullPath(path)}");
            return CliApp.ExitOk;
        });
        return command;
    }
}
