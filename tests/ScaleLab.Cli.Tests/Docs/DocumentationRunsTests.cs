using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace ScaleLab.Cli.Tests.Docs;

/// <summary>In-process commands change the current directory: nothing else may run beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DocumentationCollection
{
    public const string Name = "documentation (changes the current directory)";
}

/// <summary>
/// Issue 17: every documented command runs as written, in reading order, in one fresh folder that holds only what
/// the repository ships (examples/, data/), so each input comes from the repository or from an earlier documented
/// step. The test output lists every command with its exit code, and every skip or quickening with its reason
/// (see it with `dotnet test --filter Documentation --logger "console;verbosity=detailed"`).
/// </summary>
[Collection(DocumentationCollection.Name)]
public sealed class DocumentationRunsTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryDocumentedCommand_RunsAsWritten()
    {
        string repository = RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "scalelab-doc-commands-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(work);
        foreach (string shipped in (string[])["examples", "data"])
            Directory.CreateSymbolicLink(Path.Combine(work, shipped), Path.Combine(repository, shipped));
        var failures = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        int ran = 0, skipped = 0, duplicates = 0;
        try
        {
            foreach (var command in DocumentedCommands.All(repository))
            {
                if (seen.TryGetValue(command.Command, out string? first))
                {
                    duplicates++;
                    output.WriteLine($"same  {command.Source,-34} scalelab {command.Command}   (ran at {first})");
                    continue;
                }

                seen[command.Command] = command.Source;
                var plan = DocumentedCommandPlanner.Plan(command, work);
                if (plan.SkipReason is not null)
                {
                    skipped++;
                    output.WriteLine($"skip  {command.Source,-34} scalelab {command.Command}   -- {plan.SkipReason}");
                    continue;
                }

                ran++;
                var clock = Stopwatch.StartNew();
                var (code, error) = plan.AsProcess ? RunProcess(plan.Arguments, work) : RunInProcess(plan.Arguments, work);
                string quick = plan.QuickNote is null ? "" : $"   [quick: {plan.QuickNote}]";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"ran   {command.Source,-34} scalelab {command.Command}   -> exit {code}, {clock.Elapsed.TotalSeconds:F1} s{(plan.AsProcess ? ", as a process" : "")}{quick}"));
                if (code != command.ExpectedExit)
                    failures.Add($"{command.Source}: scalelab {command.Command} exited {code} (documented: {command.ExpectedExit}): {LastLine(error)}");
            }
        }
        finally
        {
            output.WriteLine($"{ran} commands ran, {skipped} skipped, {duplicates} repeats of an earlier command (not run twice); work folder {work}");
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Directory.Delete(work, recursive: true);
    }

    private static (int Code, string Error) RunInProcess(string[] args, string work)
    {
        string previous = Environment.CurrentDirectory;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        try
        {
            Environment.CurrentDirectory = work;
            return (CliApp.Run(args, stdout, stderr), stderr.ToString() + stdout);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    /// <summary>Sweeps and studies start a process per trial, which needs a real scalelab to start: the built one.</summary>
    private static (int Code, string Error) RunProcess(string[] args, string work)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = work };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "scalelab.dll"));
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stderr + stdout.Result);
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(l => l.StartsWith("error", StringComparison.Ordinal))
        ?? text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        var dir = new DirectoryInfo(Path.GetDirectoryName(thisFile)!);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleLab.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
