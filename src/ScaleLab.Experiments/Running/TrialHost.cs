using System.Diagnostics;

namespace ScaleLab.Experiments.Running;

/// <summary>
/// A `scalelab trial --host` process (<see cref="TrialProcess.Host"/>) that one worker sends its trials to, one at a
/// time: the request on stdin, the trial's progress events back on stdout until its exit frame. Its stderr goes to the
/// log of the trial it runs (<see cref="Attach"/>).
/// </summary>
internal sealed class TrialHost : IDisposable
{
    /// <summary>How long a host that was told to stop (stdin closed) gets to exit before it is killed.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _errorFrames = new(0);
    private Action<string>? _errorSink;
    private bool _used;

    private TrialHost(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Starts a host; a command that cannot be started throws <see cref="System.ComponentModel.Win32Exception"/>.</summary>
    public static TrialHost Start(TrialCommand command)
    {
        var info = command.StartInfo(TrialProcess.HostArguments());
        info.RedirectStandardInput = true;
        var process = new Process { StartInfo = info };
        var host = new TrialHost(process);
        process.ErrorDataReceived += (_, e) => host.OnError(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }
        process.StandardInput.AutoFlush = true;
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>From now on the host's stderr lines go to <paramref name="sink"/> (the running trial's log); null: nowhere.</summary>
    public void Attach(Action<string>? sink)
    {
        lock (_gate) _errorSink = sink;
    }

    /// <summary>Sends one trial's arguments; false when the host is no longer there to read them.</summary>
    public bool Send(IReadOnlyList<string> arguments)
    {
        _used = true;
        try
        {
            _process.StandardInput.WriteLine(TrialProcess.RequestLine(arguments));
            return true;
        }
        catch (IOException)
        {
            return false;   // the pipe is broken: the host has died
        }
    }

    /// <summary>The next line of the host's stdout; null when it has exited.</summary>
    public string? ReadLine() => _process.StandardOutput.ReadLine();

    /// <summary>
    /// Waits until the exit frame of the trial just ended has come through stderr too (the two pipes are read
    /// separately), so every stderr line of that trial is in its log before the next trial's begins.
    /// </summary>
    public void WaitForErrorFrame() => _errorFrames.Wait(ExitGrace);

    /// <summary>Kills the host and what it runs (early stopping, a lost lease, a cancelled sweep).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    /// <summary>Waits for a host that has ended (or was killed) and returns its exit code.</summary>
    public int WaitForExit()
    {
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>
    /// Closes the host's stdin, which ends it between trials; kills it if it has not exited in a few seconds, or at
    /// once if it never ran a trial (started ahead for a sweep that had nothing left to run).
    /// </summary>
    public void Dispose()
    {
        if (!_used) Kill();
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // it has gone already
        }
        try
        {
            if (!_process.WaitForExit(ExitGrace)) Kill();
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _process.Dispose();
        _errorFrames.Dispose();
    }

    private void OnError(string? line)
    {
        if (line is null) return;
        if (TrialProcess.IsExitFrame(line, out _))
        {
            _errorFrames.Release();
            return;
        }
        Action<string>? sink;
        lock (_gate) sink = _errorSink;
        if (sink is not null) sink(line);
        else Trace.TraceInformation($"trial host {_process.Id}: {line}");
    }
}

/// <summary>
/// A worker's place for its trial host: started with the worker's first trial, kept while its trials end normally on
/// the CPU, replaced after anything else (a failed, killed or non-CPU trial gets the next trial a fresh process).
/// </summary>
internal sealed class TrialSlot : IDisposable
{
    public TrialHost? Host { get; private set; }

    public TrialHost Acquire(TrialCommand command) => Host ??= TrialHost.Start(command);

    /// <summary>Starts the host ahead of its first trial; one that cannot start is left for that trial to report.</summary>
    public void TryStart(TrialCommand command)
    {
        try
        {
            Acquire(command);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Run reports it, as the trial's failure
        }
    }

    /// <summary>Ends the host between trials (stdin closed), so the next trial starts in a fresh process.</summary>
    public void Close()
    {
        Host?.Dispose();
        Host = null;
    }

    public void Dispose() => Close();
}
