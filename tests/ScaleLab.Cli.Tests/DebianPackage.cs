using System.Diagnostics;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// Installs a Debian package a test needs when its program is missing (apt-get, as root; apt-get update first only if
/// the install fails), the way tests/Shared/PostgresServer.cs installs PostgreSQL, so `dotnet test ScaleLab.sln -c
/// Release` passes on a fresh machine. One install per package per test process.
/// </summary>
internal static class DebianPackage
{
    private static readonly object Gate = new();

    public static void Ensure(string executablePath, string package)
    {
        lock (Gate)
        {
            if (File.Exists(executablePath)) return;
            if (Environment.UserName != "root")
                throw new InvalidOperationException($"{executablePath} is missing and the tests are not root: run `sudo apt-get install -y {package}` once");
            var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            if (Run("apt-get", ["install", "-y", "--no-install-recommends", package], env, out _) != 0)
            {
                Check(Run("apt-get", ["update"], env, out string update), "apt-get update", update);
                Check(Run("apt-get", ["install", "-y", "--no-install-recommends", package], env, out string install), $"apt-get install -y {package}", install);
            }

            if (!File.Exists(executablePath)) throw new InvalidOperationException($"apt-get installed {package} but no {executablePath} appeared");
        }
    }

    private static void Check(int code, string what, string output)
    {
        if (code != 0) throw new InvalidOperationException($"{what} exited with {code}: {output}");
    }

    private static int Run(string program, string[] arguments, Dictionary<string, string> env, out string output) =>
        ScaleLab.Tests.Shared.ChildProcess.Run(program, arguments, env, out output);
}
