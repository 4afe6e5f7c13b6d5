using System.CommandLine;
using System.Reflection;

namespace ScaleLab.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the ScaleLab version and runtime.\n\nExample:\n  scalelab version");
        command.SetAction(parse =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
            parse.InvocationConfiguration.Output.WriteLine($"scalelab {version} (.NET {Environment.Version})");
            return 0;
        });
        return command;
    }
}
