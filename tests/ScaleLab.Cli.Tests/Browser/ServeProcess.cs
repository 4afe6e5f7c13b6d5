using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ScaleLab.Cli.Tests.Browser;

/// <summary>
/// `scalelab serve DIR --port 0` as its own process, the way a user starts it: the URL is read from the line it
/// prints ("serving DIR at http://127.0.0.1:PORT/"), and the process is killed when the test is done.
/// </summary>
internal sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<ServeProcess> StartAsync(string dir)
    {
        var process = Process.Start(Info("serve", dir, "--port", "0"))!;
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var match = ServingLine().Match(line);
                if (match.Success) return new ServeProcess(process, new Uri(match.Groups[1].Value));
            }
        }
        catch (OperationCanceledException)
        {
            // Falls through to the error below, which says what the server printed.
        }

        process.Kill(entireProcessTree: true);
        process.Dispose();
        lock (errors) throw new InvalidOperationException($"scalelab serve {dir} printed no 'serving … at URL' line within 30 s: {errors}");
    }

    /// <summary>`dotnet scalelab.dll ARGS`, output captured: the test host's own build of the CLI.</summary>
    public static ProcessStartInfo Info(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "scalelab.dll"));
        foreach (string a in arguments) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>Runs `scalelab ARGS` to the end (at most <paramref name="limit"/>) and fails with its errors if it fails.</summary>
    public static async Task RunAsync(TimeSpan limit, params string[] arguments)
    {
        using var process = Process.Start(Info(arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scalelab {string.Join(' ', arguments)} did not finish within {limit.TotalSeconds} s");
        }

        if (process.ExitCode != 0) throw new InvalidOperationException($"scalelab {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}\n{await stdout}");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }

    [GeneratedRegex(@"^serving .* at (http://[^ ]+?)/(\?token=[^ ]*)?  \(Ctrl\+C stops\)$")]
    private static partial Regex ServingLine();
}
