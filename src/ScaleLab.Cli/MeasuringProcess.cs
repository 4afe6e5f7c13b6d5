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
    public static int? Run(string[] args)
    {
        string? host = Environment.ProcessPath;
        if (host is null) return null;
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet scalelab.dll` the host is dotnet and the first command-line argument the assembly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment[Variable] = "0";
        try
        {
            using var child = Process.Start(start);
            if (child is null) return null;
            child.WaitForExit();
            return child.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
