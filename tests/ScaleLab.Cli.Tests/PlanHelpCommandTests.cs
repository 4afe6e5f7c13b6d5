namespace ScaleLab.Cli.Tests;

/// <summary>`plan --help` shows an example for each mode, and every example runs: exit 0 (fits) or 1 (does not fit), never an error.</summary>
public class PlanHelpCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    private static IReadOnlyList<(string Mode, string Line)> Examples()
    {
        string help = Run("plan", "--help").Out;
        var examples = new List<(string, string)>();
        string mode = "";
        foreach (string raw in help.Split('\n'))
        {
            string line = raw.Trim();
            int start = line.IndexOf("scalelab plan", StringComparison.Ordinal);
            string prefix = start > 0 ? line[..start].Trim() : "";
            if (prefix.EndsWith(':')) mode = prefix[..^1];
            if (start >= 0 && line.Length > start + 13 && !line.Contains('[', StringComparison.Ordinal)) examples.Add((mode, line[start..]));
        }
        return examples;
    }

    [Fact]
    public void Help_ShowsAnExampleForEveryMode()
    {
        var modes = Examples().Select(e => e.Mode).Distinct().ToList();
        Assert.Equal(["train", "fine-tune", "serve", "launch", "compute budget", "hardware"], modes);
    }

    [Fact]
    public void Help_EveryExampleRuns()
    {
        foreach (var (_, line) in Examples())
        {
            var (code, output, error) = Run(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]);
            Assert.True(code is 0 or 1 && error.Length == 0 && output.Length > 0, $"{line}: exit {code}, {error}");
        }
    }
}
