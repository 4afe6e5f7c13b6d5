using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Formatting;
using ScaleLab.Experiments.Store;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>The trials of a sweep (from its directory or a shared store) as one table: what each varied, its status, size, best loss and time.</summary>
internal static class SweepStatusTable
{
    public static void Write(TextWriter output, string directory, string store, IReadOnlyList<SweepRecord> sweeps, IReadOnlyList<TrialRecord> trials)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;   // a table for logs and files: never wrap a row
        string title = sweeps.Count == 1 ? sweeps[0].Name : string.Join(", ", sweeps.Select(s => s.Name));
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"sweep {title}: {directory}"));
        foreach (string header in (string[])["#", "trial", "settings", "status", "params (est.)", "epochs", "best val loss", "val acc", "train FLOPs", "peak RSS", "time", "tries"])
            table.AddColumn(new TableColumn(header));
        foreach (int i in (int[])[0, 4, 5, 6, 7, 8, 9, 10, 11]) table.Columns[i].RightAligned();
        foreach (var t in trials)
        {
            table.AddRow(
                I(t.Plan.Index), t.Id, Markup.Escape(t.Plan.Label), Markup.Escape(t.Status.ToText()), HumanUnits.Things(t.Plan.EstimatedParameters), I(t.EpochsCompleted),
                t.Result?.Best?.ValLoss is double l ? l.ToString("0.0000", CultureInfo.InvariantCulture) : "–",
                t.Result?.Final?.ValAccuracy is double a ? a.ToString("0.0000", CultureInfo.InvariantCulture) : "–",
                t.Result?.TrainingFlops is double f ? HumanUnits.Count(f) : "–",
                t.Result?.PeakRssBytes is long b ? HumanUnits.Bytes(b) : "–",
                t.WallTime is { } w ? HumanUnits.Duration(w.TotalSeconds) : "–",
                I(t.Attempts));
        }
        console.Write(table);
        var counts = trials.GroupBy(t => t.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToText()}");
        output.WriteLine($"{trials.Count} trials: {string.Join(", ", counts)}; results in {store}");
        foreach (var failed in trials.Where(t => t.Status == TrialStatus.Failed && t.Message is not null))
            output.WriteLine($"  {failed.Plan.Label} failed: {failed.Message}");
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}
