using System.Diagnostics;

namespace ScaleLab.Tests.Shared;

/// <summary>Runs a program the tests need (apt-get, initdb, pg_ctl…) to its end: exit code, and stdout then stderr, trimmed.</summary>
internal static class ChildProcess
{
    public static int Run(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? env, out string output)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        // Both streams read at once, so a child that fills one pipe never blocks on it.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        output = (stdout.Result + stderr.Result).Trim();
        return process.ExitCode;
    }
}
