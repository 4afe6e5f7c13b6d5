namespace ScaleLab.Torch.Measurement;

/// <summary>
/// This process's memory above a baseline, as a scope: anonymous resident memory (RssAnon) when it starts, and the
/// peak of one phase after <see cref="BeginPeak"/>. The kernel keeps one peak (VmHWM) per process and resetting it is
/// process-wide, so a probe holds a process-wide lock for its life: two probes never reset each other's peak, and code
/// outside a probe never has its VmHWM reset under it.
/// </summary>
public sealed class MemoryProbe : IDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private bool _reset;
    private bool _peakBegun;
    private bool _disposed;

    private MemoryProbe(long baseline) => BaselineBytes = baseline;

    /// <summary>Anonymous resident memory when the probe started.</summary>
    public long BaselineBytes { get; }

    /// <summary>True when the peak of this probe's phase is its own (VmHWM could be reset); false: VmRSS at the reading instead.</summary>
    public bool PeakIsPhaseOwn => _peakBegun && _reset;

    /// <summary>Waits for any other probe in this process to end, then takes the baseline.</summary>
    public static MemoryProbe Start()
    {
        Gate.Wait();
        try
        {
            // Anonymous memory only: file-backed pages (libraries) come and go with the page cache, not with the model.
            return new MemoryProbe(PeakMemory.ReadAnonymousBytes());
        }
        catch
        {
            Gate.Release();
            throw;
        }
    }

    /// <summary>A probe when no other is running in this process, else null (the caller then measures nothing rather than wait).</summary>
    public static MemoryProbe? TryStart()
    {
        if (!Gate.Wait(0)) return null;
        try
        {
            return new MemoryProbe(PeakMemory.ReadAnonymousBytes());
        }
        catch
        {
            Gate.Release();
            throw;
        }
    }

    /// <summary>
    /// Starts the process's peak (VmHWM) afresh from its resident memory now, when no probe is running (waiting for one
    /// that is): a trial host does it between trials, so each trial's peak_rss_bytes is its own. False where the kernel
    /// refuses.
    /// </summary>
    public static bool ResetProcessPeak()
    {
        using var probe = Start();
        return probe.BeginPeak();
    }

    /// <summary>From here on the peak is this phase's (VmHWM reset to the current RSS); false where the kernel refuses.</summary>
    public bool BeginPeak()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _reset = PeakMemory.TryResetPeak();
        _peakBegun = true;
        return _reset;
    }

    /// <summary>
    /// The phase's peak above the baseline: VmHWM (or VmRSS where it could not be reset) minus the file-backed pages
    /// resident now (the best estimate of their share at the peak) minus the baseline. May read a little below zero
    /// for a phase smaller than the resident set's page-level noise.
    /// </summary>
    public long PeakAboveBaselineBytes()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long resident = PeakIsPhaseOwn ? PeakMemory.ReadPeakResidentBytes() : PeakMemory.ReadResidentBytes();
        return resident - PeakMemory.ReadFileBackedBytes() - BaselineBytes;
    }

    /// <summary>Anonymous resident memory now, above the baseline.</summary>
    public long AnonymousAboveBaselineBytes()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return PeakMemory.ReadAnonymousBytes() - BaselineBytes;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Gate.Release();
    }
}
