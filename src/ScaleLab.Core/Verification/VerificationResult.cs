using ScaleLab.Core.Accounting.Autograd;

namespace ScaleLab.Core.Verification;

/// <summary>
/// The tolerances of `scalelab verify` (docs/verify.md): memory within ±10 % of the measurement — at every batch size
/// and for the per-sample slope — and step time within ±20 %. No absolute floor: a 3× error on a small model fails.
/// </summary>
public static class VerifyTolerance
{
    public const double Memory = 0.10;

    public const double Time = 0.20;

    /// <summary>Relative error of an estimate against a measurement: (estimated − measured) / measured.</summary>
    public static double Error(double estimated, double measured) => measured == 0 ? double.NaN : (estimated - measured) / measured;

    public static bool Within(double estimated, double measured, double tolerance) => Math.Abs(Error(estimated, measured)) <= tolerance;
}

/// <summary>
/// One batch size of a verification: the estimated step memory (above the runtime's fixed cost) and step time beside
/// their measurements — medians over repeats, with the spread (max − min) of those repeats as the noise.
/// <see cref="MeasuredSeconds"/> is on the verdict's clock (<see cref="VerifyConditions.Clock"/>: the timing thread's
/// CPU time at one CPU thread); <see cref="WallSeconds"/> is the same steps on the wall clock, equal to it where the
/// verdict reads the wall clock (null means that). <see cref="Time"/> is the profile's prediction; <see cref="MachineSpeed"/>
/// how fast the machine ran GEMMs against that profile beside the timed steps, each repeat paired with its own probes
/// (SpecVerifier.PairedSpeed; null where it was not measured), which <see cref="PredictedSeconds"/> prices in.
/// </summary>
public sealed record BatchVerification(
    int Batch,
    StepMemoryEstimate Memory,
    long MeasuredBytes,
    long MeasuredSpreadBytes,
    StepTimeEstimate? Time,
    double MeasuredSeconds,
    double MeasuredSpreadSeconds,
    double? MeasuredWallSeconds = null,
    double? MeasuredWallSpreadSeconds = null,
    double? MachineSpeed = null)
{
    public double WallSeconds => MeasuredWallSeconds ?? MeasuredSeconds;

    /// <summary>
    /// The step time predicted at the speed the machine ran at beside these steps: the profile's prediction
    /// (<see cref="Time"/>) divided by <see cref="MachineSpeed"/>, or the profile's prediction where the speed was not
    /// measured. Null without a profile. The verdict reads this.
    /// </summary>
    public double? PredictedSeconds => Time is null ? null : Time.Seconds * SpeedScale;

    /// <summary>What the profile's seconds are multiplied by at the measured speed: 1 / <see cref="MachineSpeed"/>, or 1 where it was not measured.</summary>
    public double SpeedScale => MachineSpeed is double s && s > 0 && double.IsFinite(s) ? 1 / s : 1;

    public double WallSpreadSeconds => MeasuredWallSpreadSeconds ?? MeasuredSpreadSeconds;

    public long EstimatedBytes => Memory.PeakBytes;

    public double MemoryError => VerifyTolerance.Error(EstimatedBytes, MeasuredBytes);

    public double? TimeError => PredictedSeconds is double p ? VerifyTolerance.Error(p, MeasuredSeconds) : null;

    /// <summary>The error of the profile's prediction as it stands, at the speed the machine ran at when calibrated.</summary>
    public double? ProfileTimeError => Time is null ? null : VerifyTolerance.Error(Time.Seconds, MeasuredSeconds);

    public bool MemoryWithin => VerifyTolerance.Within(EstimatedBytes, MeasuredBytes, VerifyTolerance.Memory);

    /// <summary>Null when no machine profile was available to predict the step time.</summary>
    public bool? TimeWithin => PredictedSeconds is double p ? VerifyTolerance.Within(p, MeasuredSeconds, VerifyTolerance.Time) : null;
}

/// <summary>
/// Estimated vs measured for one model at three or more batch sizes. <see cref="FixedBytes"/> is the runtime's own
/// resident memory (libraries, JIT, thread stacks) before the model exists, reported apart: the estimate covers what
/// the model adds. The per-sample slopes are least-squares fits over the batches, so a constant cannot hide in them.
/// </summary>
public sealed record VerificationResult(
    string Model,
    long SequenceLength,
    long EstimatedParameters,
    long MeasuredParameters,
    long FixedBytes,
    IReadOnlyList<BatchVerification> Batches,
    int Threads,
    string Device,
    VerifyConditions Conditions)
{
    public bool ParametersMatch => EstimatedParameters == MeasuredParameters;

    public double EstimatedBytesPerSample => Slope(Batches.Select(b => ((double)b.Batch, (double)b.EstimatedBytes)));

    public double MeasuredBytesPerSample => Slope(Batches.Select(b => ((double)b.Batch, (double)b.MeasuredBytes)));

    public bool SlopeWithin => VerifyTolerance.Within(EstimatedBytesPerSample, MeasuredBytesPerSample, VerifyTolerance.Memory);

    public bool MemoryWithin => Batches.All(b => b.MemoryWithin) && SlopeWithin;

    /// <summary>Null when there was no machine profile to predict with.</summary>
    public bool? TimeWithin => Batches.Any(b => b.TimeWithin is null) ? null : Batches.All(b => b.TimeWithin == true);

    /// <summary>Parameters equal, memory within tolerance, and step time within tolerance where it was predicted.</summary>
    public bool WithinTolerance => ParametersMatch && MemoryWithin && TimeWithin != false;

    /// <summary>Least-squares slope of y over x; NaN with fewer than two distinct x.</summary>
    public static double Slope(IEnumerable<(double X, double Y)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var p = points.ToArray();
        if (p.Select(q => q.X).Distinct().Count() < 2) return double.NaN;
        double mx = p.Average(q => q.X), my = p.Average(q => q.Y);
        double sxy = p.Sum(q => (q.X - mx) * (q.Y - my)), sxx = p.Sum(q => (q.X - mx) * (q.X - mx));
        return sxy / sxx;
    }
}

/// <summary>
/// How the measurement was taken, so a reader can judge it: whether the RSS peak could be reset per phase, whether
/// the allocator was set to return freed tensors to the OS (glibc mallopt), whether .NET's tiered JIT was off (its
/// background recompilation otherwise adds 1–4 MiB during the measurement), the repeats behind each median, and whether
/// the model's memory was the first measured in its process (no earlier model's freed heap chunks under it; `verify
/// --suite` gives each model a process of its own), how fast the machine ran GEMMs against its profile just before
/// and just after the timed steps (<see cref="Accounting.Autograd.MachineProfile.GemmSpeed"/>; null without a profile),
/// the clock the step times are judged on (<see cref="TimingClocks"/>) and the one the profile was measured on (null
/// without a profile), and the share of the host's CPU time a hypervisor gave other guests while the steps were timed
/// (/proc/stat's steal; null where it cannot be read).
/// </summary>
public sealed record VerifyConditions(bool PeakReset, bool AllocatorPinned, bool TieredCompilationOff, int Repeats, int Steps, string? ProfileSource,
    bool MemoryFirstInProcess, double? GemmSpeedBefore = null, double? GemmSpeedAfter = null, string Clock = TimingClocks.Wall, double? StealFraction = null,
    string? ProfileClock = null);
