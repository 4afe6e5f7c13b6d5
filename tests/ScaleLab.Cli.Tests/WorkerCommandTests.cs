using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ScaleLab.Core.Runs;
using ScaleLab.Experiments.Running;
using ScaleLab.Experiments.Store;
using ScaleLab.Experiments.Tests;
using ScaleLab.Tests.Shared;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// `scalelab worker` processes on a private PostgreSQL server (<see cref="PostgresServer"/>), each trial the
/// <see cref="FakeTrial"/> script (through $SCALELAB_EXECUTABLE). Leases are 2-3 s; the tests wait on outcomes (every
/// trial final), never on how long anything took. Linux only, like the server the fixture starts.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WorkerCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scalelab-worker-" + Guid.NewGuid().ToString("N")[..10]);

    public WorkerCommandTests() => Directory.CreateDirectory(_dir);

    private static string ScaleLabDll => Path.Combine(AppContext.BaseDirectory, "scalelab.dll");

    private string WriteSweep(int trials, int epochs)
    {
        string path = Path.Combine(_dir, "fake.json");
        string lrs = string.Join(", ", Enumerable.Range(1, trials).Select(i => (i / 1000.0).ToString("R", CultureInfo.InvariantCulture)));
        File.WriteAllText(path, $$$"""{"name": "fake", "model": "pytorch-10-100-1", "training": {"epochs": {{{epochs}}}}, "axes": {"lr": [{{{lrs}}}]}}""");
        return path;
    }

    /// <summary>The fake trainer as an executable, the way $SCALELAB_EXECUTABLE names a scalelab.</summary>
    private string FakeExecutable(double epochSeconds)
    {
        var command = FakeTrial.Create(_dir, epochSeconds);
        string script = command.PrefixArguments[0];
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private static Process StartWorker(string executable, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])[ScaleLabDll, "worker", .. arguments]) info.ArgumentList.Add(a);
        info.Environment[TrialCommand.EnvironmentVariable] = executable;
        info.Environment["NO_COLOR"] = "1";
        return Process.Start(info)!;
    }

    private static (int Code, string Out) Finish(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "a worker did not finish within 5 minutes");
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void Workers_FourProcessesOnOneSweep_FinishEveryTrialExactlyOnce()
    {
        string url = PostgresServer.Instance.CreateDatabase(), sweep = WriteSweep(trials: 12, epochs: 2), output = Path.Combine(_dir, "sweep");
        var (code, text, _) = EstimateCommandTests.Run("sweep", sweep, "--store", url, "--submit", "--out", output);
        Assert.Equal(0, code);
        string masked = StoreLocation.Mask(url);
        Assert.Equal($"sweep fake: 12 trials, 12 new, 0 already in {masked}; run directories under {output}", text.Split('\n')[0]);
        string fake = FakeExecutable(epochSeconds: 0.05);

        var workers = Enumerable.Range(0, 4).Select(_ => StartWorker(fake, "--store", url, "--sweep", "fake", "--lease", "3")).ToList();
        var ends = workers.Select(Finish).ToList();

        Assert.All(ends, e => Assert.Equal(0, e.Code));
        using var store = (PostgresResultsStore)StoreLocation.Parse(url).Open();
        var trials = store.Trials();
        Assert.Equal(12, trials.Count);
        Assert.All(trials, t => Assert.Equal((TrialStatus.Completed, 2), (t.Status, t.EpochsCompleted)));
        Assert.Equal(24, store.AllEpochs().Sum(e => e.Value.Count));
        // Exactly once: the workers together report 12 trials completed, one per trial. Every claim is an attempt; on
        // 2 busy cores a heartbeat can be late past a 3 s lease, and then a second worker takes the trial over and
        // the first reports it lost — never a second finish.
        Assert.Equal(12, ends.Sum(e => Count(e.Out, "completed")));
        Assert.Equal(trials.Sum(t => t.Attempts), ends.Sum(e => Claimed(e.Out)));
        Assert.Equal(trials.Sum(t => t.Attempts) - 12, ends.Sum(e => Count(e.Out, "lost to another worker")));

        // And the report reads the study from the database alone (run directories deleted).
        Directory.Delete(output, recursive: true);
        var (reportCode, report, _) = EstimateCommandTests.Run("report", "--store", url, "--sweep", "fake", "--json");
        Assert.Equal(0, reportCode);
        SchemaValidation.AssertValid("report.schema.json", report);
        Assert.Equal(12, System.Text.Json.JsonDocument.Parse(report).RootElement.GetProperty("trials").GetArrayLength());
    }

    [Fact]
    public void Worker_KilledWithSigkillMidTrial_ItsTrialIsFinishedByAnotherAfterTheLeaseExpires()
    {
        string url = PostgresServer.Instance.CreateDatabase(), sweep = WriteSweep(trials: 2, epochs: 4), output = Path.Combine(_dir, "sweep");
        Assert.Equal(0, EstimateCommandTests.Run("sweep", sweep, "--store", url, "--submit", "--out", output).Code);
        string fake = FakeExecutable(epochSeconds: 0.5);
        using var store = (PostgresResultsStore)StoreLocation.Parse(url).Open();

        // Given a worker killed with SIGKILL once its first trial has recorded an epoch (its trial process lives on as an orphan),
        string killed;
        using (var first = StartWorker(fake, "--store", url, "--sweep", "fake", "--lease", "2"))
        {
            var clock = Stopwatch.StartNew();
            TrialRecord? running;
            while ((running = store.Trials().FirstOrDefault(t => t.Status == TrialStatus.Running && t.EpochsCompleted >= 1)) is null)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "no trial recorded an epoch within 3 minutes");
                Assert.False(first.HasExited, "the worker ended before it could be killed");
                Thread.Sleep(50);
            }
            killed = running.Id;
            first.Kill();   // SIGKILL to the worker alone
            first.WaitForExit();
        }
        int leftAtKill = store.Trials().Count(t => t.Status != TrialStatus.Completed);

        // when another worker waits for what is left,
        using var second = StartWorker(fake, "--store", url, "--sweep", "fake", "--lease", "2", "--wait", "--poll", "0.2");
        var (code, text) = Finish(second);

        // then it finishes the killed worker's trial on a second attempt, and nothing is lost or done twice.
        Assert.Equal(0, code);
        var trials = store.Trials();
        Assert.All(trials, t => Assert.Equal((TrialStatus.Completed, 4), (t.Status, t.EpochsCompleted)));
        Assert.Equal([1, 2, 3, 4], store.Epochs(killed).Select(e => e.Epoch));
        var taken = trials.Single(t => t.Id == killed);
        Assert.Equal(2, taken.Attempts);
        Assert.Equal(1, trials.Single(t => t.Id != killed).Attempts);
        Assert.Equal(leftAtKill, Claimed(text));
        Assert.Contains(" 0 lost to another worker", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SweepStatus_FromTheStore_ListsTheSweepAndValidatesAsJson()
    {
        string url = PostgresServer.Instance.CreateDatabase(), sweep = WriteSweep(trials: 3, epochs: 1);
        Assert.Equal(0, EstimateCommandTests.Run("sweep", sweep, "--store", url, "--submit", "--out", Path.Combine(_dir, "sweep")).Code);
        var (again, text, _) = EstimateCommandTests.Run("sweep", sweep, "--store", url, "--submit", "--out", Path.Combine(_dir, "sweep"));
        Assert.Equal(0, again);
        Assert.StartsWith($"sweep fake: 3 trials, 0 new, 3 already in {StoreLocation.Mask(url)}", text, StringComparison.Ordinal);

        var (code, json, _) = EstimateCommandTests.Run("sweep", "status", "--store", url, "--sweep", "fake", "--json");

        Assert.Equal(0, code);
        SchemaValidation.AssertValid("sweep-status.schema.json", json);
        Assert.Contains("\"queued\": 3", json, StringComparison.Ordinal);
        Assert.Contains($"\"results_db\": \"{StoreLocation.Mask(url)}\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Say_In_One_Line_That_The_Store_Is_Down_With_The_Password_Masked()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var (code, _, error) = EstimateCommandTests.Run("worker", "--store", $"postgresql://scalelab:hunter2@127.0.0.1:{port}/study");

        Assert.Equal(1, code);
        Assert.Equal($"error: postgresql://scalelab:***@127.0.0.1:{port}/study: cannot connect (Connection refused); is the server running and reachable?", error.Trim());
    }

    [Fact]
    public void Should_Say_In_One_Line_That_The_Server_Refused_The_Password()
    {
        string url = PostgresServer.Instance.Url("postgres", password: "not-the-password");

        var (code, _, error) = EstimateCommandTests.Run("sweep", "status", "--store", url);

        Assert.Equal(1, code);
        Assert.Equal($"error: postgresql://scalelab:***@127.0.0.1:{PostgresServer.Instance.Port}/postgres: the server refused the password for user 'scalelab'", error.Trim());
    }

    private static int Claimed(string workerOutput) => Count(workerOutput, "claimed");

    /// <summary>N of "N WHAT" in the worker's closing line ("worker ID: 3 claimed, 3 completed, … 0 lost to another worker").</summary>
    private static int Count(string workerOutput, string what) => workerOutput.Split('\n')
        .Where(l => l.StartsWith("worker ", StringComparison.Ordinal) && l.Contains(" claimed, ", StringComparison.Ordinal))
        .Sum(l => l.Split(": ", 2)[1].Split(", ")
            .Where(part => part.EndsWith(" " + what, StringComparison.Ordinal))
            .Sum(part => int.Parse(part.Split(' ')[0], CultureInfo.InvariantCulture)));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a trial process of a killed worker may still be writing; the folder is in /tmp
        }
    }
}
