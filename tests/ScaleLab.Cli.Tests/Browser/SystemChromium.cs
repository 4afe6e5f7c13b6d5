using PuppeteerSharp;

namespace ScaleLab.Cli.Tests.Browser;

/// <summary>
/// Debian's headless Chromium, driven through PuppeteerSharp, shared by the browser tests of one test process.
/// Puppeteer never downloads a browser: it is pointed at /usr/bin/chromium. When that is missing the fixture installs
/// Debian's `chromium` package (apt-get, as root; apt-get update first only if the install fails), the way
/// tests/Shared/PostgresServer.cs installs PostgreSQL, so `dotnet test ScaleLab.sln -c Release` passes on a fresh
/// machine. <see cref="BrowserLifetime"/> closes it when the browser collection's tests are done (the test host's
/// ProcessExit did not: every `dotnet test` left eleven Chromium processes behind).
/// </summary>
internal static class SystemChromium
{
    /// <summary>Where Debian's package puts the browser (a wrapper script that sets its flags, then runs it).</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly Lazy<Task<IBrowser>> Shared = new(Launch, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<IBrowser> Browser => Shared.Value;

    private static async Task<IBrowser> Launch()
    {
        DebianPackage.Ensure(ExecutablePath, "chromium");
        var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // --no-sandbox: the tests run as root in a container, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = 60_000,
        });
        return browser;
    }

    /// <summary>Closes the shared browser if one was started; a browser that does not close in 10 s is killed with its children.</summary>
    public static async Task CloseAsync()
    {
        if (!Shared.IsValueCreated || !Shared.Value.IsCompletedSuccessfully) return;
        var browser = await Shared.Value.ConfigureAwait(false);
        var process = browser.Process;
        try
        {
            await browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
    }
}

/// <summary>The browser collection's fixture: xUnit disposes it after the collection's last test, which closes Chromium.</summary>
public sealed class BrowserLifetime : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => SystemChromium.CloseAsync();
}
