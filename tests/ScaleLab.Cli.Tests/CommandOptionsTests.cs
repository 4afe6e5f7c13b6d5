using System.CommandLine;
using ScaleLab.Cli.Commands;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// System.CommandLine symbols record the commands they are added to, so a static option shared by two command trees
/// (two in-process runs, as the tests make in parallel) is mutated by both: every command builds its own.
/// </summary>
public sealed class CommandOptionsTests
{
    public static TheoryData<string> Commands => new(CliApp.Commands().Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Commands))]
    public void TwoTrees_ShareNoOption(string name)
    {
        var first = CliApp.Commands().Single(c => c.Name == name);
        var second = CliApp.Commands().Single(c => c.Name == name);
        var shared = Symbols(first).Intersect(Symbols(second)).Select(s => s.Name).ToList();
        Assert.True(shared.Count == 0, $"{name}: options shared between two command trees: {string.Join(", ", shared)}");
    }

    private static IEnumerable<Symbol> Symbols(Command c) =>
        c.Options.Cast<Symbol>().Concat(c.Arguments).Concat(c.Subcommands.SelectMany(Symbols));
}

/// <summary>A run builds only the sub-command it names (start-up); help and mistakes still see the whole tree.</summary>
public sealed class CommandTreeTests
{
    [Fact]
    public void Registry_NamesEachCommandAsItNamesItself()
    {
        foreach (var (name, create) in CliApp.Registry) Assert.Equal(name, create().Name);
        Assert.Equal(CliApp.Registry.Length, CliApp.Registry.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void BuildFor_ASubcommand_BuildsThatOneOnly()
    {
        var root = CliApp.BuildFor(["estimate", "gpt2-small", "--json"]);
        Assert.Equal(["estimate"], root.Subcommands.Select(c => c.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("--verbose estimate")]
    [InlineData("estmate gpt2-small")]
    public void BuildFor_AnythingElse_BuildsEveryCommand(string line) =>
        Assert.Equal(CliApp.Registry.Select(c => c.Name),
            CliApp.BuildFor(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Subcommands.Select(c => c.Name));

    [Fact]
    public void Run_AMisspelledCommand_StillSuggestsTheRightOne()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(["estmate", "gpt2-small"], output, error);
        Assert.Equal(1, code);
        Assert.Contains("'estmate' was not matched. Did you mean one of the following?" + Environment.NewLine + "estimate", output.ToString(), StringComparison.Ordinal);
    }
}

public sealed class RendererWarmupTests
{
    [Theory]
    [InlineData("estimate gpt2-small", true)]
    [InlineData("summary keras-mnist-cnn", true)]
    [InlineData("estimate gpt2-small --json", false)]
    [InlineData("train examples/train/mlp-fashion-mnist.json", false)]
    [InlineData("", false)]
    public void StartFor_WarmsOnlyCommandsThatPrintTables(string line, bool started) =>
        Assert.Equal(started, ScaleLab.Cli.Rendering.RendererWarmup.StartFor(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
}
