using System.CommandLine;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `scalelab trial …`: the process a sweep runs for each trial. Its arguments and its output (progress events, one
/// JSON line each) are Experiments' protocol (<see cref="TrialProcess"/>); this verb only forwards them. It draws no
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
            var request = TrialProcess.Request.Parse(parse.UnmatchedTokens);
            var output = parse.InvocationConfiguration.Output;
            var summary = TrialProcess.Run(request, output, ct);
            return Task.FromResult(summary.Status == RunStatus.Diverged ? CliApp.ExitUserError : CliApp.ExitOk);
        });
        return command;
    }
}
