using ScaleLab.Core.Runs;

namespace ScaleLab.Core.Scaling;

/// <summary>The x of a one-variable fit over a sweep: parameters (measured on the built model), training FLOPs, or training samples.</summary>
public enum FitAxis { Params, Flops, Data }

/// <summary>The y: validation loss at the best epoch, or validation error (1 − accuracy) at that epoch.</summary>
public enum FitTarget { ValLoss, Error }

/// <summary>Turns a sweep's completed trials into fit points; trials missing the chosen figures are left out and counted.</summary>
public static class SweepFitInput
{
    public static string Name(this FitAxis axis) => axis switch { FitAxis.Params => "params", FitAxis.Flops => "flops", _ => "data" };

    public static string Name(this FitTarget target) => target == FitTarget.ValLoss ? "val_loss" : "error";

    public static (IReadOnlyList<PowerLawPoint> Points, int LeftOut) PowerLaw(SweepData sweep, FitAxis axis, FitTarget target)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var points = new List<PowerLawPoint>();
        int leftOut = sweep.Trials.Count - sweep.Completed.Count;
        foreach (var t in sweep.Completed)
        {
            double? x = axis switch { FitAxis.Params => t.Parameters > 0 ? t.Parameters : null, FitAxis.Flops => t.TrainingFlops, _ => t.SamplesSeen };
            double? y = target == FitTarget.ValLoss ? t.ValLoss : 1 - t.ValAccuracy;
            if (x is null || y is null) { leftOut++; continue; }
            points.Add(new PowerLawPoint(x.Value, y.Value, $"trial {t.Id}"));
        }
        return (points, leftOut);
    }

    /// <summary>Points for L(N, D) with N = parameters and D = training samples seen; <see cref="JointScalingFitter.CanSeparate"/> says whether a joint fit is possible.</summary>
    public static IReadOnlyList<JointPoint> Joint(SweepData sweep, FitTarget target)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return [.. sweep.Completed
            .Select(t => (t, y: target == FitTarget.ValLoss ? t.ValLoss : 1 - t.ValAccuracy))
            .Where(p => p.t.Parameters > 0 && p.t.SamplesSeen is > 0 && p.y is not null)
            .Select(p => new JointPoint(p.t.Parameters, p.t.SamplesSeen!.Value, p.y!.Value, $"trial {p.t.Id}"))];
    }
}
