using System.CommandLine;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `scalelab trial …`: one sweep trial, or with `--host` the trial host a sweep's worker sends its trials to. Its
/// arguments, input and output (progress events, one JSON line each) are Experiments' protocol
/// (<see cref="TrialProcess"/>); this verb only forwards them, reporting a hosted trial's error as any command's. It draws no
/// plots: the sweep's report draws the study's, and `scalelab report DIR/trials/ID` a trial's own when someone asks.
/// Drawing them in every trial process (SkiaSharp and ScottPlot loaded and JIT-compiled each time) cost about 0.3 s of
/// CPU a trial, a sixth of a small width's whole process. Hidden: people train with `scalelab train`.
/// </summary>
internal static class TrialVerb
{
    public static Command Create()
    {
        var command = new Command(TrialProcess.Verb, "Run one sweep trial (used by `scalelab sweep` and `scalelab worker`; its arguments are theirs).")
        {
            Hidden = true,
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (parse.UnmatchedTokens is [TrialProcess.HostFlag])
            {
                var error = parse.InvocationConfiguration.Error;
                bool verbose = parse.GetValue(CliApp.Verbose);
                return Task.FromResult(TrialProcess.Host(Console.In, output, error, (request, trialCt) =>
                {
                    try
                    {
                        return Train(request, output, trialCt);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        return CliApp.Fail(ex, error, verbose);
                    }
                }, ct));
            }
            return Task.FromResult(Train(TrialProcess.Request.Parse(parse.UnmatchedTokens), output, ct));
        });
        return command;
    }

    private static int Train(TrialProcess.Request request, TextWriter output, CancellationToken ct) =>
        TrialProcess.Run(request, output, ct).Status == RunStatus.Diverged ? CliApp.ExitUserError : CliApp.ExitOk;
}
