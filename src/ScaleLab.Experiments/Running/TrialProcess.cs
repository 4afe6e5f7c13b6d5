using System.Globalization;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using ScaleLab.Experiments.Sweeps;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// The trial process, defined here so the sweep runner and the trial agree on one protocol without the CLI in between:
/// `scalelab trial --spec F --config F --out DIR [--threads N] [--resume]` trains one trial into its run directory and
/// writes the trial protocol's progress events (Core's ProgressEvent) to stdout, one per line. The CLI's `trial` verb
/// only forwards its arguments to <see cref="Run"/>.
/// </summary>
public static class TrialProcess
{
    public const string Verb = "trial";

    /// <summary>The command line (after the executable) that runs the trial at <paramref name="paths"/>.</summary>
    /// <param name="threads">CPU threads for the trial; null leaves the choice to the trainer (its config's, else its default).</param>
    public static IReadOnlyList<string> Arguments(TrialPaths paths, int? threads, bool resume)
    {
        ArgumentNullException.ThrowIfNull(paths);
        List<string> arguments = [Verb, "--spec", paths.SpecFile, "--config", paths.ConfigFile, "--out", paths.RunDirectory];
        if (threads is int n) arguments.AddRange(["--threads", n.ToString(CultureInfo.InvariantCulture)]);
        if (resume) arguments.Add("--resume");
        return arguments;
    }

    /// <summary>What <see cref="Arguments"/> wrote, read back; anything else is an error naming the argument.</summary>
    public sealed record Request(string SpecFile, string ConfigFile, string RunDirectory, int? Threads, bool Resume)
    {
        public static Request Parse(IReadOnlyList<string> arguments)
        {
            ArgumentNullException.ThrowIfNull(arguments);
            string? spec = null, config = null, run = null;
            int? threads = null;
            bool resume = false;
            for (int i = 0; i < arguments.Count; i++)
            {
                string a = arguments[i];
                if (a == "--resume")
                {
                    resume = true;
                    continue;
                }
                if (i + 1 >= arguments.Count) throw new ScaleLabException($"{Verb}: {a} needs a value");
                string value = arguments[++i];
                switch (a)
                {
                    case "--spec": spec = value; break;
                    case "--config": config = value; break;
                    case "--out": run = value; break;
                    case "--threads":
                        threads = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n
                            : throw new ScaleLabException($"{Verb}: --threads '{value}' is not a positive whole number");
                        break;
                    default: throw new ScaleLabException($"{Verb}: unknown argument '{a}'; expected --spec, --config, --out, --threads, --resume");
                }
            }
            return new Request(
                spec ?? throw new ScaleLabException($"{Verb}: --spec FILE is required"),
                config ?? throw new ScaleLabException($"{Verb}: --config FILE is required"),
                run ?? throw new ScaleLabException($"{Verb}: --out DIR is required"),
                threads,
                resume);
        }
    }

    /// <summary>Trains the trial; returns the run's summary (its progress went to <paramref name="stdout"/>).</summary>
    public static Core.Runs.RunSummary Run(Request request, TextWriter stdout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = ModelSpecJson.Load(request.SpecFile);
        var loaded = TrainingConfigJson.Load(request.ConfigFile);
        var config = loaded with { Threads = request.Threads ?? loaded.Threads };
        return Trainer.Run(spec, config, request.RunDirectory, request.Resume && Core.Runs.RunOutcome.HasCheckpoint(request.RunDirectory),
            new ProgressLines(stdout), ct);
    }
}
