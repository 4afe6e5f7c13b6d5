using System.Diagnostics;
using PuppeteerSharp;

namespace ScaleLab.Cli.Tests.Browser;

/// <summary>
/// Debian's headless Chromium, driven through PuppeteerSharp, shared by the browser tests of one test process.
/// Puppeteer never downloads a browser: it is pointed at /usr/bin/chromium. When that is missing the fixture installs
/// Debian's `chromium` package (apt-get, as root; apt-get update first only if the install fails), the way
/// tests/Shared/PostgresServer.cs installs PostgreSQL, so `dotnet test ScaleLab.sln -c Release` passes on a fresh
/// machine. The browser is closed when the process exits.
/// </summary>
internal static class SystemChromium
{
    /// <summary>Where Debian's package puts the browser (a wrapper script that sets its flags, then runs it).</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly Lazy<Task<IBrowser>> Shared = new(Launch, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<IBrowser> Browser => Shared.Value;

    private static async Task<IBrowser> Launch()
    {
        if (!File.Exists(ExecutablePath)) Install();
        var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // --no-sandbox: the tests run as root in a container, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = 60_000,
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => browser.CloseAsync().Wait(TimeSpan.FromSeconds(5));
        return browser;
    }

    private static void Install()
    {
        if (Environment.UserName != "root")
            throw new InvalidOperationException($"Chromium is missing ({ExecutablePath}) and the tests are not root: run `sudo apt-get install -y chromium` once");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        if (Run("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], env, out _) != 0)
        {
            Check(Run("apt-get", ["update"], env, out string update), "apt-get update", update);
            Check(Run("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], env, out string install), "apt-get install -y chromium", install);
        }

        if (!File.Exists(ExecutablePath)) throw new InvalidOperationException($"apt-get installed chromium but no {ExecutablePath} appeared");
    }

    private static void Check(int code, string what, string output)
    {
        if (code != 0) throw new InvalidOperationException($"{what} exited with {code}: {output}");
    }

    private static int Run(string program, string[] arguments, Dictionary<string, string> env, out string output)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        output = (stdout.Result + stderr.Result).Trim();
        return process.ExitCode;
    }
}
