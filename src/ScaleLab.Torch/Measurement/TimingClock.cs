using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ScaleLab.Core.Accounting.Autograd;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Measurement;

/// <summary>Which clock a timing reads: the wall clock, or the CPU time of the calling thread.</summary>
public enum ClockKind { Wall, ThreadCpu }

/// <summary>
/// The clock calibrate and verify time with. On a virtual machine the hypervisor runs other guests on our cores (its
/// "steal" time), and a wall-clock timing counts those milliseconds as ours: on the 2-core Intel VM (2026-12-03) a
/// fixed Python loop read 312–366 ms wall and 283–354 ms CPU, and 465–654 ms wall in the spells where /proc/stat
/// showed 19–32 % steal, its CPU time unchanged; the suite's repeats spread by ±100 % of their median that morning.
/// Linux leaves stolen time out of a thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so where all the work runs on the
/// calling thread — libtorch on the CPU at one thread: its OpenMP regions, oneDNN's primitives and the CPU autograd
/// engine run inline — the thread's CPU time is the work's time, and on a quiet machine it equals the wall clock
/// (page faults and the allocator's system calls are inside it). With more threads, on a GPU, or without that clock,
/// the wall clock.
/// </summary>
public static class TimingClock
{
    private const int ClockThreadCpuTime = 3;   // CLOCK_THREAD_CPUTIME_ID on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static readonly Lazy<bool> ThreadCpuWorks = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return ClockGetTime(ClockThreadCpuTime, out _) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    /// <summary>True where this process can read its threads' CPU time.</summary>
    public static bool ThreadCpuAvailable => ThreadCpuWorks.Value;

    /// <summary>The calling thread's CPU time in seconds (user and system); NaN where it cannot be read.</summary>
    public static double ThreadCpuSeconds()
    {
        if (!ThreadCpuAvailable || ClockGetTime(ClockThreadCpuTime, out var t) != 0) return double.NaN;
        return t.Seconds + (t.Nanoseconds * 1e-9);
    }

    /// <summary>The clock a timing on <paramref name="device"/> reads in this process now: thread CPU time on the CPU at one libtorch thread, else the wall clock.</summary>
    public static ClockKind For(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.type == DeviceType.CPU && get_num_threads() == 1 && ThreadCpuAvailable ? ClockKind.ThreadCpu : ClockKind.Wall;
    }

    /// <summary>Seconds on <paramref name="clock"/> (an arbitrary origin: take differences).</summary>
    public static double Now(ClockKind clock) => clock == ClockKind.ThreadCpu ? ThreadCpuSeconds() : Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    /// <summary>The name a profile and verify's JSON give the clock: "thread_cpu" or "wall".</summary>
    public static string Name(ClockKind clock) => clock == ClockKind.ThreadCpu ? TimingClocks.ThreadCpu : TimingClocks.Wall;
}

/// <summary>
/// The host's CPU time counters (/proc/stat's first line, in clock ticks): how much of it the hypervisor gave other
/// guests (steal) between two readings. All cores together, so on a 2-core VM timing one thread it says how contended
/// the host was, not exactly how much of our thread's time was taken.
/// </summary>
public readonly record struct HostCpuTime(long Steal, long Total)
{
    private const string Stat = "/proc/stat";

    /// <summary>Now; null where /proc/stat cannot be read or has no steal column.</summary>
    public static HostCpuTime? Read()
    {
        try
        {
            if (!File.Exists(Stat)) return null;
            using var reader = new StreamReader(Stat);
            var fields = reader.ReadLine()?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is null || fields.Length < 9 || fields[0] != "cpu") return null;
            // user nice system idle iowait irq softirq steal [guest guest_nice: already inside user and nice]
            long total = 0;
            for (int i = 1; i <= 8; i++) total += long.Parse(fields[i], CultureInfo.InvariantCulture);
            return new HostCpuTime(long.Parse(fields[8], CultureInfo.InvariantCulture), total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The share of the host's CPU time stolen between <paramref name="from"/> and <paramref name="to"/>; null when no time passed.</summary>
    public static double? StealFraction(HostCpuTime from, HostCpuTime to) =>
        to.Total > from.Total ? (double)(to.Steal - from.Steal) / (to.Total - from.Total) : null;
}
