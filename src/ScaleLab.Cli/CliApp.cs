using System.CommandLine;
using ScaleLab.Cli.Commands;
using ScaleLab.Core;

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

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("scalelab: measure, predict and shrink the cost of neural-network parameter scale.");
        root.Options.Add(Verbose);
        foreach (var command in Commands()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Every sub-command, in the order `--help` lists them. Each lives in Commands/NAMECommand.cs.</summary>
    internal static IEnumerable<Command> Commands()
    {
        yield return VersionCommand.Create();
        yield return EstimateCommand.Create();
        yield return SummaryCommand.Create();
        yield return PlanCommand.Create();
        yield return InspectCommand.Create();
        yield return DataCommand.Create();
        yield return VerifyCommand.Create();
        yield return CalibrateCommand.Create();
        yield return TrainCommand.Create();
        yield return TrialVerb.Create();
        yield return EvalCommand.Create();
        yield return CompressCommand.Create();
        yield return ExportCommand.Create();
        yield return SweepCommand.Create();
        yield return WorkerCommand.Create();
        yield return FitCommand.Create();
        yield return ReportCommand.Create();
        yield return StudyCommand.Create();
        yield return ServeCommand.Create();
    }

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = BuildRoot();
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
