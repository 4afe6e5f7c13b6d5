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
