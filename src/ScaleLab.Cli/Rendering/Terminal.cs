using Spectre.Console;

namespace ScaleLab.Cli.Rendering;

/// <summary>
/// A Spectre console over a command's output writer. A real terminal gets colours and its own width; anything else
/// (a pipe, a file, a test's StringWriter) gets plain text at a fixed width, so output is the same on every machine
/// and golden files can compare it byte for byte.
/// </summary>
internal static class Terminal
{
    /// <summary>Wide enough that summary tables of the bundled presets never wrap.</summary>
    public const int PlainWidth = 160;

    public static IAnsiConsole For(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        bool interactive = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!interactive)
        {
            console.Profile.Width = PlainWidth;
            console.Profile.Capabilities.Unicode = true;
        }
        return console;
    }
}
