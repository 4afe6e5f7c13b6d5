using System.Globalization;

namespace ScaleLab.Torch;

/// <summary>
/// How many cores this process can actually get now. libtorch's OpenMP team spins at every barrier for a partner
/// thread; when another process holds that partner's core, each barrier waits for a scheduler slice, and a two-thread
/// step on a busy two-core machine measured 11–20× slower than one thread (docs/engine-bench.md). So the default
/// thread count is the cores this process may run on (affinity and cgroup quota, which
/// <see cref="Environment.ProcessorCount"/> honours) less the threads other processes are running right now.
/// </summary>
public static class CpuAvailability
{
    /// <summary>Readings of the run queue taken to choose a thread count: a median over them ignores one burst.</summary>
    public const int Samples = 9;

    /// <summary>Pause between readings: the whole choice takes about Samples × this (≈ 40 ms).</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(5);

    private const string StatPath = "/proc/stat";

    /// <summary>Cores this process may be scheduled on.</summary>
    public static int Cores => Environment.ProcessorCount;

    /// <summary>
    /// Threads for a compute job that did not ask for a count: cores less the runnable threads of others (median of
    /// <see cref="Samples"/> readings of /proc/stat's procs_running, less the reading thread itself), at least 1.
    /// Where /proc/stat cannot be read (not Linux) it is all cores, libtorch's own default.
    /// </summary>
    public static int DefaultThreads()
    {
        int? others = RunnableElsewhere();
        return others is int busy ? ThreadsFor(Cores, busy) : Cores;
    }

    /// <summary>The rule of <see cref="DefaultThreads"/>: every core nobody else is using, and always one.</summary>
    public static int ThreadsFor(int cores, int runnableElsewhere) => Math.Clamp(cores - Math.Max(0, runnableElsewhere), 1, Math.Max(1, cores));

    /// <summary>Median runnable threads not counting the caller's, or null where the kernel does not report them.</summary>
    public static int? RunnableElsewhere()
    {
        var readings = new List<int>(Samples);
        for (int i = 0; i < Samples; i++)
        {
            if (i > 0) Thread.Sleep(SampleInterval);
            if (ProcsRunning() is not int running) return null;
            readings.Add(running - 1);   // the thread reading /proc/stat is running too
        }

        readings.Sort();
        return readings[readings.Count / 2];
    }

    /// <summary>procs_running from /proc/stat: threads running or waiting for a core, system-wide.</summary>
    public static int? ProcsRunning()
    {
        try
        {
            foreach (var line in File.ReadLines(StatPath))
            {
                if (!line.StartsWith("procs_running ", StringComparison.Ordinal)) continue;
                return int.TryParse(line.AsSpan("procs_running ".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : null;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
