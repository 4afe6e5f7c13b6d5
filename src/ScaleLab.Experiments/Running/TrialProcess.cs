using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
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
/// <para>
/// `scalelab trial --host` is the same protocol for many trials in one process (<see cref="Host"/>): each line of its
/// stdin is one trial's arguments as a JSON array of strings (what <see cref="Arguments"/> gives, less the verb); it
/// trains that trial, writing its progress events to stdout, then ends it with <see cref="ExitFrame"/> on stderr and on
/// stdout, and reads the next line. At the end of stdin (the sweep closed it, or died) it stops the trial it is
/// running and exits. A sweep's trial costs about 1 s of process start-up (runtime, JIT, libtorch) against 0.2–0.4 s of
/// training for a small width of `scalelab study`; one host per worker pays it once (docs/sweeps.md).
/// </para>
/// </summary>
public static class TrialProcess
{
    public const string Verb = "trial";

    /// <summary>The flag that makes `scalelab trial` a host of many trials (stdin: one request a line).</summary>
    public const string HostFlag = "--host";

    private const string ExitKey = "trial_exit";

    /// <summary>The command line (after the executable) of a trial host.</summary>
    public static IReadOnlyList<string> HostArguments() => [Verb, HostFlag];

    /// <summary>The line that ends a hosted trial, with the exit code a trial process of its own would have had.</summary>
    public static string ExitFrame(int code) => "{\"" + ExitKey + "\":" + code.ToString(CultureInfo.InvariantCulture) + "}";

    /// <summary>True when <paramref name="line"/> is an <see cref="ExitFrame"/>; its code in <paramref name="code"/>.</summary>
    public static bool IsExitFrame(string line, out int code)
    {
        ArgumentNullException.ThrowIfNull(line);
        code = 0;
        const string prefix = "{\"" + ExitKey + "\":";
        return line.StartsWith(prefix, StringComparison.Ordinal) && line.EndsWith('}')
            && int.TryParse(line.AsSpan(prefix.Length, line.Length - prefix.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out code);
    }

    /// <summary>One request line of a host: the trial's arguments, less the verb, as a JSON array.</summary>
    public static string RequestLine(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var rest = arguments.Count > 0 && arguments[0] == Verb ? arguments.Skip(1) : arguments;
        return JsonSerializer.Serialize(rest.ToArray());
    }

    /// <summary>
    /// The file beside a hosted trial's run directory that names the host process running it, while it runs: the host's
    /// command line does not name the trial, so this is how a re-run sweep knows an orphaned host is still writing that
    /// run directory (<see cref="OrphanTrial"/>).
    /// </summary>
    public static string HostMarker(string runDirectory) => Path.TrimEndingDirectorySeparator(runDirectory) + ".host";

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

    /// <summary>
    /// Runs trials as they arrive on <paramref name="input"/> (one <see cref="RequestLine"/> each) until it ends, each
    /// through <paramref name="runTrial"/> (which reports its own errors on <paramref name="error"/> and returns the exit
    /// code a trial process would have). Between trials the heap is compacted and the kernel's peak-RSS mark reset, so
    /// each trial's peak_rss_bytes is its own. Returns 0 at the end of the input, 130 when it cut a trial short.
    /// </summary>
    public static int Host(TextReader input, TextWriter output, TextWriter error, Func<Request, CancellationToken, int> runTrial, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(runTrial);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var requests = new BlockingCollection<string>();
        // Read on a thread of its own, so the end of stdin (the sweep gone) stops the trial running now, not after it.
        var reader = new Thread(() =>
        {
            try
            {
                while (input.ReadLine() is { } line) requests.Add(line);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // A broken pipe is an end of input too; so is a line arriving after the host was stopped from outside
                // and has returned (its queue is closed or disposed then).
            }
            finally
            {
                try
                {
                    closed.Cancel();
                    requests.CompleteAdding();
                }
                catch (ObjectDisposedException)
                {
                    // the host was stopped from outside (its cancellation token) and has returned already
                }
            }
        }) { IsBackground = true, Name = "trial host input" };
        reader.Start();
        // While the sweep plans its first trial (a host is started before the store is opened), not after.
        Torch.TorchThreads.Load();
        while (true)
        {
            string line;
            try
            {
                if (!requests.TryTake(out line!, Timeout.Infinite, closed.Token)) return 0;
            }
            catch (OperationCanceledException)
            {
                return 0;   // the input ended (the sweep is done with this host, or gone) or the host was stopped
            }
            int code;
            string? marker = null;
            try
            {
                var request = Request.Parse(ReadRequest(line));
                marker = HostMarker(Path.GetFullPath(request.RunDirectory));
                Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
                Core.Runs.RunJson.WriteAtomically(marker, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
                code = runTrial(request, closed.Token);
            }
            catch (ScaleLabException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                code = 2;
            }
            finally
            {
                if (marker is not null) File.Delete(marker);
            }
            if (closed.IsCancellationRequested) return 130;
            Torch.Measurement.MallocControl.Settle();
            Torch.Measurement.MemoryProbe.ResetProcessPeak();
            error.WriteLine(ExitFrame(code));
            error.Flush();
            output.WriteLine(ExitFrame(code));
            output.Flush();
        }
    }

    private static string[] ReadRequest(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(line) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            throw new ScaleLabException($"{Verb} {HostFlag}: stdin: '{(line.Length > 80 ? line[..80] + "…" : line)}' is not a trial request; expected a JSON array of the trial's arguments");
        }
    }
}
