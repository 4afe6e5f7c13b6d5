using Spectre.Console;

namespace ScaleLab.Cli.Rendering;

/// <summary>
/// Start-up: the first table a process renders costs 20–35 ms of type loading and first calls inside Spectre.Console,
/// the largest single part of `scalelab estimate gpt2-small` (docs/engine-bench.md, "Start-up"). A command that will
/// print tables renders a one-row table to nowhere on a background thread while the main thread parses its arguments,
/// reads the spec and does the accounting, so that cost overlaps theirs instead of following it. Measured on the
/// 2-core build machine: the real render fell from 35 to 13–15 ms and the whole command from 145 to 124–131 ms.
/// </summary>
internal static class RendererWarmup
{
    /// <summary>The commands whose text output is Spectre tables (with --json they print none).</summary>
    private static readonly string[] TableCommands = ["estimate", "summary", "plan", "inspect"];

    /// <summary>Starts the warm-up when <paramref name="args"/> name a table command without --json; true when started.</summary>
    public static bool StartFor(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || !TableCommands.Contains(args[0]) || args.Contains("--json")) return false;
        new Thread(Render) { IsBackground = true, Name = "renderer warm-up" }.Start();
        return true;
    }

    /// <summary>One table in the house look (<see cref="Cells"/>), to a console that writes nothing.</summary>
    internal static void Render()
    {
        var console = Terminal.For(TextWriter.Null);
        var table = Cells.Table(null, "", ">Count", "Note");
        table.AddRow(Cells.Text("total"), Cells.Exact(124_439_808), Cells.Text("warm-up"));
        console.WriteLine("warm-up");
        console.Write(table);
    }
}
