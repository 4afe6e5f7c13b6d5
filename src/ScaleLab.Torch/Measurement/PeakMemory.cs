using System.Globalization;

namespace ScaleLab.Torch.Measurement;

/// <summary>
/// Resident memory of this process from /proc/self/status (proc(5)): VmRSS now, VmHWM the peak ("high water mark").
/// libtorch's CPU allocator has no statistics API in TorchSharp, so the kernel's view is the measurement; it
/// includes the runtime and libraries, so compare differences (growth during training), not absolute values.
/// </summary>
public static class PeakMemory
{
    public const string StatusPath = "/proc/self/status";

    /// <summary>VmHWM in bytes, or 0 where /proc is unavailable (not Linux).</summary>
    public static long ReadPeakResidentBytes() => ReadField("VmHWM");

    /// <summary>VmRSS in bytes, or 0 where /proc is unavailable.</summary>
    public static long ReadResidentBytes() => ReadField("VmRSS");

    /// <summary>
    /// RssAnon in bytes (Linux ≥ 4.5): resident anonymous memory only — heaps, tensors — without the file-backed pages
    /// of libraries, which the kernel drops and reloads at will and which made VmRSS deltas flaky; 0 where unavailable.
    /// </summary>
    public static long ReadAnonymousBytes() => ReadField("RssAnon");

    /// <summary>
    /// Resident memory that is not anonymous (RssFile + RssShmem): library and mapped-file pages the kernel may drop
    /// and fault back at will, which VmRSS and VmHWM include; 0 where unavailable.
    /// </summary>
    public static long ReadFileBackedBytes()
    {
        if (!File.Exists(StatusPath)) return 0;
        string status = File.ReadAllText(StatusPath);
        return checked(ParseField(status, "RssFile") + ParseField(status, "RssShmem"));
    }

    /// <summary>
    /// Resets VmHWM to the current RSS by writing "5" to /proc/self/clear_refs (Linux ≥ 4.0, proc(5)), so a peak can be
    /// measured for one phase. Returns false where that is not allowed; the peak then covers the whole process.
    /// </summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The value of a "Name:   1234 kB" line of a proc status text, in bytes; 0 when absent.</summary>
    public static long ParseField(string statusText, string field)
    {
        ArgumentNullException.ThrowIfNull(statusText);
        foreach (var line in statusText.Split('\n'))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var parts = line[(field.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            long value = long.Parse(parts[0], CultureInfo.InvariantCulture);
            return parts.Length > 1 && parts[1] == "kB" ? checked(value * 1024) : value;
        }
        return 0;
    }

    private static long ReadField(string field)
    {
        if (!File.Exists(StatusPath)) return 0;
        return ParseField(File.ReadAllText(StatusPath), field);
    }
}
