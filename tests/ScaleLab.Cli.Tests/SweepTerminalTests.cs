using System.Diagnostics;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// Issue 17 item 4: `scalelab sweep` in a real terminal. The sweep runs in a detached tmux pane (a pseudo-terminal, so
/// the live bars are on), and the pane's rendered screen is read back: every log line must be there in full.
/// Needs tmux, which the test installs from Debian when it is missing (DebianPackage).
/// </summary>
public sealed class SweepTerminalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scalelab-sweep-pty-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly string _socket = "scalelab-test-" + Guid.NewGuid().ToString("N")[..10];

    public SweepTerminalTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public void Sweep_InATerminal_LiveBarsLeaveEveryLogLineWhole()
    {
        string embedded = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");
        string sweep = Path.Combine(_dir, "tiny.json");
        File.WriteAllText(sweep, $$$"""
            {
              "name": "tiny",
              "model": {"name": "mlp-16", "input": [1, 28, 28], "layers": [
                {"type": "flatten"}, {"type": "linear", "units": 16}, {"type": "relu"}, {"type": "linear", "units": 10}]},
              "training": {"epochs": 1, "batch_size": 50, "data": {"name": "fashion-mnist", "directory": "{{{embedded}}}", "limit": 300}},
              "axes": {"width": [0.25, 0.5, 1, 2]}
            }
            """);
        string script = Path.Combine(_dir, "run.sh");
        string dll = Path.Combine(AppContext.BaseDirectory, "scalelab.dll");
        File.WriteAllText(script, $"dotnet '{dll}' sweep '{sweep}' --out '{Path.Combine(_dir, "out")}' --workers 1 --threads 1\necho \"sweep exited $?\"\nsleep 600\n");

        Tmux("new-session", "-d", "-x", "160", "-y", "60", "sh " + script);
        string screen = "";
        var deadline = DateTime.UtcNow.AddMinutes(4);   // a guard against a hung sweep, not a measurement
        while (!screen.Contains("sweep exited", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(500);
            screen = Tmux("capture-pane", "-p", "-t", "0");
        }

        var lines = screen.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains("sweep exited 0", lines);
        Assert.Contains(lines, l => l.StartsWith("sweep tiny: 4 trials, 0 already finished, 4 to run on 1 worker(s) × 1 thread(s) → ", StringComparison.Ordinal));
        foreach (string width in (string[])["0.25", "0.5", "1", "2"])
            Assert.True(lines.Any(l => l.StartsWith($"width={width}: completed after 1 epoch(s)  best val loss ", StringComparison.Ordinal)), $"no whole line for width={width} on the screen:\n{screen}");
    }

    private string Tmux(params string[] args)
    {
        DebianPackage.Ensure("/usr/bin/tmux", "tmux");
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])["-L", _socket, .. args]) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("tmux did not start; this test needs it (apt-get install tmux)");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)} exited {process.ExitCode}: {error}");
        return output;
    }

    public void Dispose()
    {
        try
        {
            Tmux("kill-server");
        }
        catch (InvalidOperationException)
        {
            // The server is already gone (the pane's command ended); nothing is left to stop.
        }
        Directory.Delete(_dir, recursive: true);
    }
}
