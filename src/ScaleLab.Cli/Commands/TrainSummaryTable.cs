using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Formatting;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Training;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>The table `train` prints at the end: how the run ended, what it reached, what it cost.</summary>
internal static class TrainSummaryTable
{
    public static void Write(TextWriter output, RunSummary s, ModelSpec spec)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var table = new Table().Border(TableBorder.Rounded).Title($"{spec.Name}: {Status(s.Status)}");
        table.AddColumn("figure");
        table.AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));

        Row("epochs completed", I(s.EpochsCompleted));
        Row("steps", I(s.Steps));
        Row("parameters (built)", I(s.Parameters));
        if (s.EstimatedParameters is long estimated) Row("parameters (estimated)", I(estimated) + (estimated == s.Parameters ? "  equal" : "  DIFFERENT"));
        if (s.Final is { } f)
        {
            Row("train loss", F(f.TrainLoss));
            if (f.ValLoss is double vl) Row("validation loss", F(vl));
            if (f.ValAccuracy is double va) Row("validation accuracy", F(va));
        }

        if (s.Best is { } b) Row("best epoch (val loss)", $"{I(b.Epoch)} ({F(b.ValLoss)})");
        if (s.Test is { } t)
        {
            Row("test loss", F(t.Loss));
            if (t.Accuracy is double ta) Row("test accuracy", F(ta));
            if (t.MacroF1 is double f1) Row("test macro F1", F(f1));
            if (t.Perplexity is double ppl) Row("test perplexity", F(ppl));
            if (t.R2 is double r2) Row("test R²", F(r2));
        }

        Row("training time", s.TrainSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s");
        Row("mean step time", (s.StepSecondsMean * 1000).ToString("0.00", CultureInfo.InvariantCulture) + " ms");
        if (s.TrainingFlops is double flops && s.TrainSeconds > 0) Row("achieved FLOP/s (3 × forward)", HumanUnits.Count(flops / s.TrainSeconds, "FLOP/s"));
        Row("peak RSS", HumanUnits.Bytes(s.PeakRssBytes));
        Row("run directory", s.RunDirectory);
        console.Write(table);
        if (s.Message is not null && s.Status != RunStatus.Diverged) output.WriteLine(s.Message);
    }

    private static string Status(RunStatus status) => status switch
    {
        RunStatus.Completed => "completed",
        RunStatus.EarlyStopped => "early stopped",
        RunStatus.Diverged => "diverged",
        _ => "running",
    };

    private static string I(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
