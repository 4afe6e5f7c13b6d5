using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

/// <summary>
/// Watches, once a second of training, how long this process's threads sat runnable without a core (the kernel's
/// per-thread run delay, /proc/self/task/*/schedstat). A share above <see cref="ContendedFraction"/> of the window ×
/// threads means other processes are taking the cores libtorch's threads want: it warns once, and when the thread
/// count was the default it steps down to one thread (a spinning OpenMP team that cannot get its cores is the
/// 20× collapse of docs/engine-bench.md). After <see cref="QuietWindowsToRestore"/> quiet windows with no other
/// runnable thread it goes back to the count it started with. Explicit counts are never changed.
/// Where schedstat is missing (not Linux) it does nothing.
/// </summary>
internal sealed class ContentionWatch
{
    /// <summary>The share of the threads' wall time spent waiting for a core above which a window counts as contended.</summary>
    public const double ContendedFraction = 0.25;

    /// <summary>Consecutive quiet windows (no other runnable thread, little waiting) before stepping back up.</summary>
    public const int QuietWindowsToRestore = 10;

    /// <summary>How often the run delay is read: each reading costs about 0.1 ms.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly int _startThreads;
    private readonly bool _adaptive;
    private long _windowStart;
    private long _delayAtStart;
    private int _quietWindows;
    private bool _warned;

    /// <param name="threads">The count the run started with.</param>
    /// <param name="adaptive">Whether the count was chosen by default, so the watch may change it.</param>
    public ContentionWatch(int threads, bool adaptive)
    {
        _startThreads = threads;
        _adaptive = adaptive && threads > 1;
        Enabled = RunDelayNanoseconds() is not null;
        Restart();
    }

    public bool Enabled { get; }

    /// <summary>Starts a new window (at an epoch's start, so evaluation between epochs is not counted).</summary>
    public void Restart()
    {
        _windowStart = Stopwatch.GetTimestamp();
        _delayAtStart = Enabled ? RunDelayNanoseconds() ?? 0 : 0;
    }

    /// <summary>Called after each step; at the end of a window returns the warning to show (once per run), else null.</summary>
    public string? AfterStep()
    {
        if (!Enabled) return null;
        var elapsed = Stopwatch.GetElapsedTime(_windowStart);
        if (elapsed < Window) return null;
        long delay = RunDelayNanoseconds() ?? _delayAtStart;
        int threads = get_num_threads();
        double waited = (delay - _delayAtStart) / 1e9 / (elapsed.TotalSeconds * threads);
        Restart();
        return waited > ContendedFraction ? Contended(waited, threads) : Quiet(waited, threads);
    }

    private string? Contended(double waited, int threads)
    {
        _quietWindows = 0;
        string? message = null;
        if (_adaptive && threads > 1)
        {
            set_num_threads(1);
            message = $"continuing with 1 thread instead of {threads} (pass --threads to fix the count)";
        }
        else if (threads > 1)
        {
            message = "--threads 1 may be faster";
        }
        else
        {
            message = "steps will be slower than on a quiet machine";
        }

        if (_warned) return null;
        _warned = true;
        return string.Create(CultureInfo.InvariantCulture,
            $"other processes are competing for the CPU: the training threads waited for a core {Math.Min(waited, 1) * 100:F0} % of the last {Window.TotalSeconds:F0} s (load average {LoadAverage()} on {CpuAvailability.Cores} cores); {message}");
    }

    private string? Quiet(double waited, int threads)
    {
        if (!_adaptive || threads >= _startThreads) return null;
        bool alone = waited < ContendedFraction / 5 && CpuAvailability.ProcsRunning() is int running && running <= threads;
        _quietWindows = alone ? _quietWindows + 1 : 0;
        if (_quietWindows < QuietWindowsToRestore) return null;
        _quietWindows = 0;
        set_num_threads(_startThreads);
        return null;
    }

    /// <summary>Sum over this process's threads of the time they were runnable but not running, or null where unknown.</summary>
    internal static long? RunDelayNanoseconds()
    {
        try
        {
            long total = 0;
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                string text;
                try
                {
                    text = File.ReadAllText(Path.Combine(task, "schedstat"));
                }
                catch (IOException)
                {
                    continue;   // the thread ended between the listing and the read
                }

                // "<ns on cpu> <ns waiting on a run queue> <timeslices>"
                var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long waited)) total += waited;
            }

            return total;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
