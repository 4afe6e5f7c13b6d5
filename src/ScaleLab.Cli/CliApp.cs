using System.CommandLine;
using ScaleLab.Cli.Commands;
using ScaleLab.Core;
using ScaleLab.Experiments.Running;

namespace ScaleLab.Cli;

/// <summary>The `scalelab` root command: registers every sub-command and turns errors into one clear line.</summary>
public static class CliApp
{
    /// <summary>Exit codes: 0 ok, 1 bad input or a failed check (a ScaleLabException), 2 usage error, 70 internal error.</summary>
    public const int ExitOk = 0, ExitUserError = 1, ExitUsage = 2, ExitInternal = 70;

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show stack traces for errors",
        Recursive = true,
    };

    /// <summary>The whole tree: every sub-command, as `scalelab --help` lists them.</summary>
    public static RootCommand BuildRoot() => BuildRoot(Registry);

    /// <summary>
    /// The tree a run needs. When the first argument names a sub-command, only that one is built: each command's
    /// options are generic instances (`Option&lt;int&gt;`, `Option&lt;double?&gt;`, …) that the runtime compiles
    /// on first use, and building the other eighteen was about a third of `scalelab estimate`'s start-up
    /// (docs/engine-bench.md, "Start-up"). Anything else (no argument, `--help`, `--version`, a typo) gets the whole
    /// tree, so root help and "did you mean" see every command.
    /// </summary>
    internal static RootCommand BuildFor(IReadOnlyList<string> args)
    {
        int named = args.Count > 0 ? Array.FindIndex(Registry, c => c.Name == args[0]) : -1;
        return named >= 0 ? BuildRoot([Registry[named]]) : BuildRoot();
    }

    private static RootCommand BuildRoot(IEnumerable<(string Name, Func<Command> Create)> commands)
    {
        var root = new RootCommand("scalelab: measure, predict and shrink the cost of neural-network parameter scale.");
        root.Options.Add(Verbose);
        foreach (var (_, create) in commands) root.Subcommands.Add(create());
        return root;
    }

    /// <summary>Every sub-command, in the order `--help` lists them. Each lives in Commands/NAMECommand.cs.</summary>
    internal static IEnumerable<Command> Commands() => Registry.Select(c => c.Create());

    /// <summary>Each sub-command's name (what a command line starts with) and its factory; a test holds each name to its command's.</summary>
    internal static readonly (string Name, Func<Command> Create)[] Registry =
    [
        ("version", VersionCommand.Create),
        ("estimate", EstimateCommand.Create),
        ("summary", SummaryCommand.Create),
        ("plan", PlanCommand.Create),
        ("inspect", InspectCommand.Create),
        ("data", DataCommand.Create),
        ("verify", VerifyCommand.Create),
        ("calibrate", CalibrateCommand.Create),
        ("train", TrainCommand.Create),
        (TrialProcess.Verb, TrialVerb.Create),
        ("eval", EvalCommand.Create),
        ("compress", CompressCommand.Create),
        ("export", ExportCommand.Create),
        ("sweep", SweepCommand.Create),
        ("worker", WorkerCommand.Create),
        ("fit", FitCommand.Create),
        ("report", ReportCommand.Create),
        ("study", StudyCommand.Create),
        ("serve", ServeCommand.Create),
    ];

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = BuildFor(args);
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        var parse = root.Parse(args);
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception ex)
        {
            return Fail(ex, config.Error, parse.GetValue(Verbose));
        }
    }

    /// <summary>Reports an error that ended a command, the one way every command reports them; returns its exit code.</summary>
    public static int Fail(Exception ex, TextWriter error, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(error);
        switch (ex)
        {
            case ScaleLabException or { InnerException: ScaleLabException }:
                var user = ex as ScaleLabException ?? (ScaleLabException)ex.InnerException!;
                error.WriteLine($"error: {user.Message}");
                if (verbose) error.WriteLine(user.ToString());
                return ExitUserError;
            case IOException or UnauthorizedAccessException:
                // A fault of the world (read-only or full disk, a path that is a file, no permission), not of ScaleLab:
                // .NET's message names the path; say what to do.
                error.WriteLine($"error: {ex.Message.TrimEnd('.')}; check that the path exists, is writable and that its disk has free space");
                if (verbose) error.WriteLine(ex.ToString());
                return ExitUserError;
            case OperationCanceledException:
                error.WriteLine("cancelled");
                return 130;
            default:
                error.WriteLine($"internal error: {ex.GetType().Name}: {ex.Message}");
                error.WriteLine(verbose ? ex.ToString() : "(run again with --verbose for the stack trace, and please report it)");
                return ExitInternal;
        }
    }
}
