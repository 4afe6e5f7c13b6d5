namespace ScaleLab.Cli.Tests.Docs;

/// <summary>How the harness reads a documented line: comment, expected exit, synopsis, quickening.</summary>
public sealed class DocumentedCommandTests
{
    [Fact]
    public void Command_DropsTheCommentAndCollapsesAlignment()
    {
        var command = new DocumentedCommand("docs/x.md:1", "scalelab compress runs/mlp   --prune 0.5 --out runs/half     # fewer neurons");
        Assert.Equal("compress runs/mlp --prune 0.5 --out runs/half", command.Command);
        Assert.Equal(0, command.ExpectedExit);
    }

    [Fact]
    public void ExpectedExit_IsReadFromAnExitsComment()
    {
        var command = new DocumentedCommand("docs/x.md:1", "scalelab plan llama-3-8b --gpus 1   # exits 1: does not fit");
        Assert.Equal(1, command.ExpectedExit);
    }

    [Fact]
    public void Plan_SkipsASynopsisWithPlaceholders()
    {
        var plan = DocumentedCommandPlanner.Plan(new DocumentedCommand("docs/planning.md:24", "scalelab plan --compute C [--json]"), Path.GetTempPath());
        Assert.Equal("synopsis with placeholders, not a command", plan.SkipReason);
    }

    [Fact]
    public void Plan_QuickensTrainingAndSaysHow()
    {
        var plan = DocumentedCommandPlanner.Plan(new DocumentedCommand("docs/training.md:8", "scalelab train keras-mnist-cnn --epochs 10 --out runs/cnn"), Path.GetTempPath());
        Assert.Equal(["train", "keras-mnist-cnn", "--epochs", "2", "--out", "runs/cnn", "--limit", "1000", "--progress", "plain"], plan.Arguments);
        Assert.Equal("--limit 1000, --epochs 2, --progress plain", plan.QuickNote);
    }

    [Fact]
    public void InHelp_FindsEveryCommandsExamples()
    {
        var help = DocumentedCommands.InHelp(CliApp.BuildRoot()).ToList();
        Assert.Contains(help, c => c.Source == "scalelab sweep status --help" && c.Command == "sweep status sweeps/mlp-width --json");
        Assert.Contains(help, c => c.Source == "scalelab plan --help" && c.Command == "plan --compute 5.76e23");
    }
}
