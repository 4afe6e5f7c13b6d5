using System.Diagnostics;

namespace ScaleLab.Cli;

/// <summary>
/// `verify` measures memory to the MiB, and .NET's tiered JIT recompiles hot methods in the background while the
/// measured steps run, adding 1–4 MiB of native memory at moments no warm-up can pin down (docs/verify.md). The
/// setting is read at process start only, so the `scalelab` entry point runs verify in a child process of itself with
/// DOTNET_TieredCompilation=0 (every method compiled once, fully optimised), sharing the console and exit code.
/// </summary>
internal static class MeasuringProcess
{
    public const string Variable = "DOTNET_TieredCompilation";

    public static bool Wanted(string[] args) =>
        args.Length > 0 && args[0] == "verify" && Environment.GetEnvironmentVariable(Variable) != "0"
        && !args.Contains("--help") && !args.Contains("-h");

    /// <summary>The exit code of the child, or null when it could not be started (the caller then runs in-process).</summary>
    public static int? Run(string[] args) => Start(args, capture: false)?.ExitCode;

    /// <summary>
    /// Runs `scalelab ARGS` as a child with tiered compilation off, its stderr on this console and its stdout returned;
    /// null when it could not be started. `verify --suite` measures each model's memory this way (docs/verify.md).
    /// </summary>
    public static (int ExitCode, string Output)? Capture(IReadOnlyList<string> args) => Start(args, capture: true);

    private static (int ExitCode, string Output)? Start(IReadOnlyList<string> args, bool capture)
    {
        string? host = Environment.ProcessPath;
        // Only the scalelab command can start itself: inside another host (a test runner) the caller runs in-process.
        if (host is null || System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name != "scalelab") return null;
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = capture };
        // Under `dotnet scalelab.dll` the host is dotnet and the first command-line argument the assembly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment[Variable] = "0";
        try
        {
            using var child = Process.Start(start);
            if (child is null) return null;
            string output = capture ? child.StandardOutput.ReadToEnd() : "";
            child.WaitForExit();
            return (child.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
