using System.Globalization;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Formatting;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Sweeps;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// One progress view for a whole sweep: in a terminal, a live bar for the sweep (trials done of those to run, ETA) and
/// one per running trial (epoch, step, loss); otherwise plain lines, one per trial start, epoch and end.
/// Calls come from the runner's worker threads, so each view serialises them. In a terminal every log line goes
/// through the live display's console, which clears the bars, prints the line above them and redraws them; a line
/// written straight to the output while the bars are live would be overwritten by their next redraw (issue 17:
/// "width=0.5: completed" lost its "width=0.5" to the bars).
/// </summary>
internal static class SweepProgressView
{
    public static T Run<T>(TextWriter output, Func<ISweepProgress, T> run)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        if (!terminal) return run(new PlainSweepProgress(output));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Detect });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(context => result = run(new BarSweepProgress(context, console)));
        return result;
    }

    internal static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    internal static string Tally(SweepTally t) =>
        $"{t.Done}/{t.Total} done, {t.Running} running, {t.Left} left" + (t.Eta is { } eta ? $", ETA {HumanUnits.Duration(eta.TotalSeconds)}" : "");

    internal static string Start(SweepStart s) =>
        $"sweep {s.Name}: {s.Trials} trials, {s.AlreadyFinished} already finished, {s.ToRun} to run on {s.Workers} worker(s) × {s.ThreadsPerTrial} thread(s) → {s.Directory}";

    internal static string End(TrialRecord r)
    {
        string loss = r.Result?.Best?.ValLoss is double l ? $"  best val loss {F(l, "0.0000")}" : "";
        string acc = r.Result?.Final?.ValAccuracy is double a ? $"  val acc {F(a, "0.0000")}" : "";
        string time = r.WallTime is { } w ? $"  {HumanUnits.Duration(w.TotalSeconds)}" : "";
        string why = r.Status is TrialStatus.Failed or TrialStatus.StoppedEarly && r.Message is not null ? $"  ({r.Message})" : "";
        return $"{r.Plan.Label}: {r.Status.ToText()} after {r.EpochsCompleted} epoch(s){loss}{acc}{time}{why}";
    }

    private sealed class PlainSweepProgress(TextWriter output) : ISweepProgress
    {
        private readonly Lock _gate = new();

        public void OnStart(SweepStart start) => Write(Start(start));

        public void OnTrialStart(TrialPlan trial, int attempt, bool resumed, SweepTally tally) =>
            Write($"start {trial.Label} ({trial.Id}, {HumanUnits.Things(trial.EstimatedParameters)} params, attempt {attempt}{(resumed ? ", resumed from its checkpoint" : "")})");

        public void OnTrialEvent(TrialPlan trial, ProgressEvent step)
        {
            if (step is ProgressEvent.Epoch { Payload: var e })
                Write($"  {trial.Label}: epoch {e.Epoch}/{trial.Config.Epochs}  train loss {F(e.TrainLoss, "0.0000")}");
        }

        public void OnTrialEnd(TrialPlan trial, TrialRecord record, SweepTally tally) => Write($"{End(record)}  [{Tally(tally)}]");

        public void OnDone(SweepTally tally) => Write($"sweep finished: {tally.Completed} completed, {tally.StoppedEarly} stopped early, {tally.Failed} failed");

        private void Write(string line)
        {
            lock (_gate)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }
    }

    private sealed class BarSweepProgress(ProgressContext context, IAnsiConsole console) : ISweepProgress
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, ProgressTask> _trials = new(StringComparer.Ordinal);
        private ProgressTask? _sweep;

        public void OnStart(SweepStart start)
        {
            lock (_gate)
            {
                console.WriteLine(Start(start));
                _sweep = context.AddTask("sweep", maxValue: Math.Max(1, start.ToRun));
            }
        }

        public void OnTrialStart(TrialPlan trial, int attempt, bool resumed, SweepTally tally)
        {
            lock (_gate)
            {
                _trials[trial.Id] = context.AddTask($"  {Markup.Escape(trial.Label)}: starting", maxValue: 1);
                if (_sweep is not null) _sweep.Description = Markup.Escape($"sweep: {Tally(tally)}");
            }
        }

        public void OnTrialEvent(TrialPlan trial, ProgressEvent step)
        {
            if (step is not ProgressEvent.Step { Payload: var s } || s.StepsPerEpoch <= 0) return;
            lock (_gate)
            {
                if (!_trials.TryGetValue(trial.Id, out var task)) return;
                task.MaxValue = Math.Max(1, trial.Config.Epochs * (double)s.StepsPerEpoch);
                task.Value = ((s.Epoch - 1) * (double)s.StepsPerEpoch) + s.Step;
                task.Description = Markup.Escape($"  {trial.Label}: epoch {s.Epoch}/{trial.Config.Epochs}  loss {F(s.Loss, "0.0000")}");
            }
        }

        public void OnTrialEnd(TrialPlan trial, TrialRecord record, SweepTally tally)
        {
            lock (_gate)
            {
                if (_trials.Remove(trial.Id, out var task))
                {
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
                console.WriteLine(End(record));
                if (_sweep is null) return;
                _sweep.Increment(1);
                _sweep.Description = Markup.Escape($"sweep: {Tally(tally)}");
            }
        }

        public void OnDone(SweepTally tally)
        {
            lock (_gate) _sweep?.StopTask();
        }
    }
}
