using System.Diagnostics;

namespace ScaleLab.Torch.Measurement;

/// <summary>
/// Times repeated steps and summarises them, skipping the first <see cref="WarmupSteps"/> (allocator and BLAS
/// warm-up make them slow and unrepresentative). Median is the robust figure on a shared machine; mean is kept too.
/// </summary>
public sealed class StepTimer
{
    private readonly List<double> _seconds = [];
    private readonly List<double> _cpuSeconds = [];
    private long _start;
    private double _cpuStart;

    public StepTimer(int warmupSteps = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        WarmupSteps = warmupSteps;
    }

    public int WarmupSteps { get; }

    public int StepsSeen { get; private set; }

    public void Start()
    {
        _cpuStart = TimingClock.ThreadCpuSeconds();
        _start = Stopwatch.GetTimestamp();
    }

    public void Stop()
    {
        double seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        double cpu = TimingClock.ThreadCpuSeconds() - _cpuStart;
        if (StepsSeen++ < WarmupSteps) return;
        _seconds.Add(seconds);
        _cpuSeconds.Add(cpu);
    }

    /// <summary>Timed (post-warm-up) step durations on the wall clock, in order.</summary>
    public IReadOnlyList<double> Seconds => _seconds;

    /// <summary>The same steps' CPU time on the thread that timed them (<see cref="TimingClock"/>), in order; NaN where it cannot be read.</summary>
    public IReadOnlyList<double> CpuSeconds => _cpuSeconds;

    public StepTimes Summary() => StepTimes.From(_seconds);
}

/// <summary>Summary of step durations in seconds: count, mean, median, best.</summary>
public sealed record StepTimes(int Count, double MeanSeconds, double MedianSeconds, double BestSeconds)
{
    public static StepTimes From(IReadOnlyList<double> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        if (seconds.Count == 0) return new StepTimes(0, double.NaN, double.NaN, double.NaN);
        var sorted = seconds.Order().ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new StepTimes(n, seconds.Average(), median, sorted[0]);
    }
}
