using System.CommandLine;
using System.Text.RegularExpressions;

namespace ScaleLab.Cli.Tests.Docs;

/// <summary>One `scalelab …` command as the documentation writes it, and where: "docs/training.md:7", "scalelab fit --help".</summary>
public sealed record DocumentedCommand(string Source, string Text)
{
    /// <summary>A trailing comment that documents a failure on purpose: `# exits 1: …`.</summary>
    public int ExpectedExit => Regex.Match(Comment, @"\bexits (\d+)\b") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The command without its leading "scalelab" and its trailing comment, spaces collapsed (docs align columns).</summary>
    public string Command => Regex.Replace(StripComment(Text)["scalelab".Length..].Trim(), @"\s+", " ");

    private string Comment => Text.Length > StripComment(Text).Length ? Text[StripComment(Text).Length..] : "";

    /// <summary>A shell comment starts at a '#' after whitespace.</summary>
    private static string StripComment(string line) => Regex.Replace(line, @"\s+#.*$", "").TrimEnd();
}

/// <summary>Finds every documented command: fenced blocks of the Markdown files, the README's tour table, and the
/// "Example(s):" part of every command's --help.</summary>
public static class DocumentedCommands
{
    /// <summary>`dotnet run --project src/ScaleLab.Cli -c Release -- ARGS` is the README's way of saying `scalelab ARGS`.</summary>
    private static readonly Regex DotnetRun = new(@"^dotnet run --project src/ScaleLab\.Cli\S* (?:-c \w+ )?-- (.*)$");

    private static readonly Regex Backticked = new("`(scalelab [^`]+)`");

    /// <summary>Commands in fenced blocks (any language tag: bash, console, none), in file order; "$ " prompts dropped.</summary>
    public static IEnumerable<DocumentedCommand> InFencedBlocks(string file, string sourceName)
    {
        bool fenced = false;
        int number = 0;
        foreach (string raw in File.ReadLines(file))
        {
            number++;
            string line = raw.Trim();
            if (line.StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; continue; }
            if (!fenced) continue;
            if (line.StartsWith("$ ", StringComparison.Ordinal)) line = line[2..];
            if (DotnetRun.Match(line) is { Success: true } run) line = "scalelab " + run.Groups[1].Value;
            if (line.StartsWith("scalelab ", StringComparison.Ordinal)) yield return new DocumentedCommand($"{sourceName}:{number}", line);
        }
    }

    /// <summary>Backticked `scalelab …` spans in the table rows under "## A short tour".</summary>
    public static IEnumerable<DocumentedCommand> InTourTable(string readme)
    {
        bool tour = false;
        int number = 0;
        foreach (string line in File.ReadLines(readme))
        {
            number++;
            if (line.StartsWith("## ", StringComparison.Ordinal)) tour = line.StartsWith("## A short tour", StringComparison.Ordinal);
            if (!tour || !line.StartsWith('|')) continue;
            foreach (Match m in Backticked.Matches(line)) yield return new DocumentedCommand($"README.md:{number} (tour)", m.Groups[1].Value);
        }
    }

    /// <summary>The lines after "Example:" or "Examples:" in every command's description, sub-commands included.</summary>
    public static IEnumerable<DocumentedCommand> InHelp(Command command, string path = "scalelab")
    {
        string description = command.Description ?? "";
        int examples = description.IndexOf("Example", StringComparison.Ordinal);
        if (examples >= 0)
        {
            foreach (string line in description[examples..].Split('\n').Skip(1))
            {
                int at = line.IndexOf("scalelab ", StringComparison.Ordinal);
                if (at >= 0) yield return new DocumentedCommand($"{path} --help", line[at..].Trim());
            }
        }

        foreach (var sub in command.Subcommands)
        {
            foreach (var found in InHelp(sub, $"{path} {sub.Name}")) yield return found;
        }
    }

    /// <summary>
    /// All of them in reading order: the README (fenced blocks and tour, by line), then docs/ in the order the README's
    /// documentation table lists them (later steps use what earlier ones made: sweeps.md's sweep before reports.md's
    /// report), then any other docs/*.md, then the --help examples.
    /// </summary>
    public static IReadOnlyList<DocumentedCommand> All(string repository)
    {
        string readme = Path.Combine(repository, "README.md");
        var commands = InFencedBlocks(readme, "README.md").Concat(InTourTable(readme))
            .OrderBy(c => int.Parse(c.Source.Split(':')[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (string doc in DocsInReadingOrder(repository, readme))
            commands.AddRange(InFencedBlocks(Path.Combine(repository, doc), doc));
        commands.AddRange(InHelp(CliApp.BuildRoot()));
        return commands;
    }

    private static IEnumerable<string> DocsInReadingOrder(string repository, string readme)
    {
        var listed = Regex.Matches(File.ReadAllText(readme), @"\]\((docs/[\w.-]+\.md)\)").Select(m => m.Groups[1].Value).Distinct().ToList();
        var rest = Directory.GetFiles(Path.Combine(repository, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f))
            .Where(f => !listed.Contains(f)).Order(StringComparer.Ordinal);
        return listed.Concat(rest);
    }
}
