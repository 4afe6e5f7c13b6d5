using ScaleLab.Core;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

/// <summary>The trial process's command line: written and read by Experiments alone.</summary>
public sealed class TrialProcessTests
{
    [Fact]
    public void Arguments_ParseBackToTheSameRequest()
    {
        var paths = new TrialPaths("/sweeps/w", "abc123");
        var request = TrialProcess.Request.Parse(TrialProcess.Arguments(paths, 2, resume: true).Skip(1).ToList());
        Assert.Equal(new TrialProcess.Request(paths.SpecFile, paths.ConfigFile, paths.RunDirectory, 2, true), request);
    }

    [Fact]
    public void Arguments_WithoutThreads_LeaveTheChoiceToTheTrainer()
    {
        var paths = new TrialPaths("/sweeps/w", "abc123");
        var arguments = TrialProcess.Arguments(paths, null, resume: false);
        Assert.DoesNotContain("--threads", arguments);
        Assert.Null(TrialProcess.Request.Parse(arguments.Skip(1).ToList()).Threads);
    }

    [Theory]
    [InlineData(new[] { "--spec", "s.json", "--config", "c.json", "--out", "run", "--threads", "0" }, "trial: --threads '0' is not a positive whole number")]
    [InlineData(new[] { "--spec", "s.json", "--progress", "json" }, "trial: unknown argument '--progress'; expected --spec, --config, --out, --threads, --resume")]
    [InlineData(new[] { "--spec" }, "trial: --spec needs a value")]
    public void Parse_BadArguments_SayWhichOne(string[] arguments, string message)
    {
        var ex = Assert.Throws<ScaleLabException>(() => TrialProcess.Request.Parse(arguments));
        Assert.Equal(message, ex.Message);
    }
}
