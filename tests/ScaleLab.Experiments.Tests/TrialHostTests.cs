using System.Collections.Concurrent;
using System.Diagnostics;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

/// <summary>
/// `scalelab trial --host` (<see cref="TrialProcess.Host"/>) with a stand-in for the trainer, the runner's use of one
/// host per worker (<see cref="FakeTrial"/> in host mode), and how a re-run sweep recognises an orphaned host.
/// </summary>
public sealed class TrialHostTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Host_RunsEachRequestInTurn_EndsEachWithItsExitFrame_AndMarksTheRunDirectoryWhileItRuns()
    {
        using var dir = new TempDirectory();
        var a = new TrialPaths(dir.Path, "aaaa");
        var b = new TrialPaths(dir.Path, "bbbb");
        using var input = new LineFeed();
        input.Add(TrialProcess.RequestLine(TrialProcess.Arguments(a, null, resume: false)));
        input.Add("not a request");
        input.Add(TrialProcess.RequestLine(TrialProcess.Arguments(b, 2, resume: true)));
        using var output = new LineRecorder();
        using var error = new LineRecorder();
        var seen = new ConcurrentQueue<(TrialProcess.Request Request, string Marker)>();

        var host = Task.Run(() => TrialProcess.Host(input, output, error, (request, _) =>
        {
            seen.Enqueue((request, File.ReadAllText(TrialProcess.HostMarker(request.RunDirectory))));
            return seen.Count == 1 ? 0 : 1;
        }, CancellationToken.None));
        Assert.True(SpinWait.SpinUntil(() => output.Lines.Count == 3, Patience), "three exit frames");
        input.Complete();
        Assert.Equal(0, await host.WaitAsync(Patience));

        Assert.Equal([new TrialProcess.Request(a.SpecFile, a.ConfigFile, a.RunDirectory, null, false),
            new TrialProcess.Request(b.SpecFile, b.ConfigFile, b.RunDirectory, 2, true)], seen.Select(s => s.Request));
        Assert.All(seen, s => Assert.Equal($"{Environment.ProcessId}\n", s.Marker));
        Assert.False(File.Exists(TrialProcess.HostMarker(a.RunDirectory)) || File.Exists(TrialProcess.HostMarker(b.RunDirectory)));
        Assert.Equal([TrialProcess.ExitFrame(0), TrialProcess.ExitFrame(2), TrialProcess.ExitFrame(1)], output.Lines);
        Assert.Equal([TrialProcess.ExitFrame(0),
            "error: trial --host: stdin: 'not a request' is not a trial request; expected a JSON array of the trial's arguments",
            TrialProcess.ExitFrame(2), TrialProcess.ExitFrame(1)], error.Lines);
    }

    [Fact]
    public async Task Host_InputEndingDuringATrial_StopsThatTrial_AndEndsWithoutItsFrame()
    {
        using var dir = new TempDirectory();
        var a = new TrialPaths(dir.Path, "aaaa");
        using var input = new LineFeed();
        input.Add(TrialProcess.RequestLine(TrialProcess.Arguments(a, 1, resume: false)));
        using var started = new ManualResetEventSlim();
        bool stopped = false;
        using var output = new LineRecorder();

        var host = Task.Run(() => TrialProcess.Host(input, output, TextWriter.Null, (_, ct) =>
        {
            started.Set();
            stopped = ct.WaitHandle.WaitOne(Patience);
            return 0;
        }, CancellationToken.None));
        Assert.True(started.Wait(Patience));
        input.Complete();   // the sweep died: the kernel closed the host's stdin

        Assert.Equal(130, await host.WaitAsync(Patience));
        Assert.True(stopped);
        Assert.Empty(output.Lines);
        Assert.False(File.Exists(TrialProcess.HostMarker(a.RunDirectory)));
    }

    [Fact]
    public void IsExitFrame_ReadsOnlyTheFrame()
    {
        Assert.True(TrialProcess.IsExitFrame(TrialProcess.ExitFrame(137), out int code));
        Assert.Equal(137, code);
        Assert.False(TrialProcess.IsExitFrame("{\"event\":\"done\",\"status\":\"completed\"}", out _));
        Assert.False(TrialProcess.IsExitFrame("{\"trial_exit\":x}", out _));
    }

    [Fact]
    public void Runner_SendsAWorkersTrialsToOneHost_AFailedTrialsSuccessorGetsAFreshOne_AndNoHostOutlivesTheSweep()
    {
        using var dir = new TempDirectory();
        var sweep = SweepSpecJson.Parse("""{"name": "fake", "model": "pytorch-10-100-1", "training": {"epochs": 2}, "axes": {"lr": [0.001, 0.002, 0.5, 0.003]}, "max_attempts": 1}""", "fake.json", "/");
        var result = new SweepRunner(Path.Combine(dir.Path, "sweep"), FakeTrial.Create(dir.Path), new RecordingProgress())
            .Run(sweep, new SweepRunOptions(ThreadsPerTrial: 1), CancellationToken.None);

        Assert.Equal([TrialStatus.Completed, TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Completed], result.Trials.Select(t => t.Status));
        var runs = FakeTrial.HostRuns(dir.Path);
        Assert.Equal(result.Trials.Select(t => t.Plan.RunDirectory), runs.Select(r => r.Run));   // equal work: plan order
        Assert.Equal([runs[0].Pid, runs[0].Pid, runs[0].Pid], runs.Take(3).Select(r => r.Pid));
        Assert.NotEqual(runs[0].Pid, runs[3].Pid);
        Assert.All(result.Trials, t => Assert.Contains($" pid {runs.First(r => r.Run == t.Plan.RunDirectory).Pid}: ",
            File.ReadAllText(new TrialPaths(result.Directory, t.Id).LogFile), StringComparison.Ordinal));
        Assert.All(runs, r => Assert.False(Directory.Exists($"/proc/{r.Pid}"), $"host {r.Pid} still running"));
    }

    [Fact]
    public void OrphanTrial_StopsAHostOnlyWhileItsMarkerNamesIt()
    {
        using var dir = new TempDirectory();
        string run = new TrialPaths(dir.Path, "aaaa").RunDirectory;
        Directory.CreateDirectory(Path.GetDirectoryName(run)!);
        // A stand-in host: its command line is `… trial --host` and names no trial, as the real one's.
        using var host = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", "sleep 60; :", TrialProcess.Verb, TrialProcess.HostFlag]))!;
        try
        {
            Assert.False(OrphanTrial.Stop(host.Id, run));   // no marker: between trials, or on another
            File.WriteAllText(TrialProcess.HostMarker(run), $"{host.Id + 1}\n");
            Assert.False(OrphanTrial.Stop(host.Id, run));   // the marker names another process
            Assert.False(host.HasExited);

            File.WriteAllText(TrialProcess.HostMarker(run), $"{host.Id}\n");
            Assert.True(OrphanTrial.Stop(host.Id, run));
            Assert.True(host.WaitForExit(Patience));
        }
        finally
        {
            if (!host.HasExited) host.Kill(entireProcessTree: true);
        }
    }

    /// <summary>A writer the host writes from its thread while the test reads: whole lines, under a lock.</summary>
    private sealed class LineRecorder : TextWriter
    {
        private readonly List<string> _lines = [];
        private readonly System.Text.StringBuilder _partial = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines) return [.. _lines];
            }
        }

        public override void Write(char value)
        {
            lock (_lines)
            {
                if (value == '\n')
                {
                    _lines.Add(_partial.ToString());
                    _partial.Clear();
                }
                else if (value != '\r')
                {
                    _partial.Append(value);
                }
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lines)
            {
                _lines.Add(_partial.Append(value).ToString());
                _partial.Clear();
            }
        }
    }

    /// <summary>A stdin that hands out lines as the test adds them and ends when it says so.</summary>
    private sealed class LineFeed : TextReader
    {
        private readonly BlockingCollection<string> _lines = [];

        public void Add(string line) => _lines.Add(line);

        public void Complete() => _lines.CompleteAdding();

        public override string? ReadLine() => _lines.TryTake(out string? line, Timeout.Infinite) ? line : null;

        protected override void Dispose(bool disposing)
        {
            if (disposing) _lines.Dispose();
            base.Dispose(disposing);
        }
    }
}
