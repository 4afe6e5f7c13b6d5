using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ScaleLab.Core.Runs;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>How `train` shows progress: a live bar (a terminal), plain lines (a log), or JSON lines (a parent process).</summary>
internal static class TrainProgressView
{
    public static RunSummary Run(string mode, TextWriter output, Func<ITrainingProgress, RunSummary> train)
    {
        if (mode == "json") return train(new ProgressLines(output));
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        if (mode == "plain" || !terminal) return train(new PlainProgress(output));

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Detect });
        RunSummary? summary = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => summary = train(new BarProgress(context, console)));
        return summary!;
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>One Spectre task over all steps of the run; its description carries epoch, step, loss and samples/s.</summary>
    private sealed class BarProgress(ProgressContext context, IAnsiConsole console) : ITrainingProgress
    {
        private ProgressTask? _task;
        private long _firstStep;

        public void OnStart(TrainingStart start)
        {
            _firstStep = (start.StartEpoch - 1) * start.StepsPerEpoch;
            _task = context.AddTask("starting", maxValue: Math.Max(1, (start.Epochs - start.StartEpoch + 1) * start.StepsPerEpoch));
            if (start.Resumed) console.WriteLine($"resuming {start.RunDirectory} at epoch {start.StartEpoch}");
        }

        public void OnStep(StepProgress s)
        {
            if (_task is null) return;
            _task.Value = s.GlobalStep - _firstStep;
            _task.Description = $"epoch {s.Epoch}/{s.Epochs}  step {s.Step}/{s.StepsPerEpoch}  loss {F(s.Loss, "0.0000")}  {F(s.SamplesPerSecond, "N0")} samples/s";
        }

        // Through the live display's console, so the line lands above the bar instead of through it.
        public void OnEpoch(EpochMetrics m) => console.WriteLine(PlainProgress.EpochLine(m));

        public void OnWarning(string message) => console.WriteLine("warning: " + message);

        public void OnDone(RunSummary summary)
        {
            if (_task is null) return;
            _task.Value = _task.MaxValue;
            _task.StopTask();
        }
    }

    /// <summary>One line at start, one per epoch: for logs and redirected output.</summary>
    private sealed class PlainProgress(TextWriter output) : ITrainingProgress
    {
        public void OnStart(TrainingStart s) => output.WriteLine(
            $"{(s.Resumed ? "resuming" : "training")} {s.RunDirectory}: epochs {s.StartEpoch}..{s.Epochs}, {s.StepsPerEpoch} steps each, {s.TrainSamples} training samples, {s.Parameters} parameters");

        public void OnStep(StepProgress step) { }

        public void OnEpoch(EpochMetrics m) => output.WriteLine(EpochLine(m));

        public void OnDone(RunSummary summary) { }

        public void OnWarning(string message) => output.WriteLine("warning: " + message);

        public static string EpochLine(EpochMetrics m)
        {
            string val = m.ValLoss is double v ? $"  val loss {F(v, "0.0000")}" : "";
            string valAcc = m.ValAccuracy is double va ? $"  val acc {F(va, "0.0000")}" : "";
            string trainAcc = m.TrainAccuracy is double ta ? $"  acc {F(ta, "0.0000")}" : "";
            return $"epoch {m.Epoch}  loss {F(m.TrainLoss, "0.0000")}{trainAcc}{val}{valAcc}  lr {F(m.Lr, "G4")}  {F(m.EpochSeconds, "0.0")} s  {F(m.SamplesPerSecond, "N0")} samples/s";
        }
    }
}
