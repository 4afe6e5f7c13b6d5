using System.Globalization;
using ScaleLab.Core.Runs;

namespace ScaleLab.Core.Scaling;

/// <summary>What a person asks of a fitted law: a prediction at a size (and data), and the compute-optimal split of a budget.</summary>
public sealed record FitRequest(double? Predict, double? PredictTokens, double? Budget);

/// <summary>What was fitted: the one-variable law, the joint law when the data allow it, and where the points came from.</summary>
public sealed record FitResult(string Source, string Target, int LeftOut, PowerLawFit? PowerLaw, JointScalingFit? Joint, string? Note);

/// <summary>
/// Which law a table of results supports, and its fit — the rule `scalelab fit` applies to a published CSV or to a
/// sweep: the joint L(N, D) when parameters and data vary independently (<see cref="JointScalingFitter.CanSeparate"/>),
/// else the one-variable law over the first size column present. A sweep's points are chosen by <see cref="SweepFitInput"/>.
/// </summary>
public static class ScalingStudyFit
{
    public static FitResult FromCsv(string path, ScalingCsvColumns columns, ScalingFitOptions options)
    {
        var table = ScalingCsv.Read(path, columns);
        if (table.HasParameters && table.HasTokens)
        {
            var points = table.JointPoints();
            if (JointScalingFitter.CanSeparate(points))
            {
                string? note = table.TokensDerived ? string.Create(CultureInfo.InvariantCulture, $"tokens derived from '{columns.Flops}' as C / (6N)") : null;
                return new FitResult(path, "loss", 0, null, JointScalingFitter.Fit(points, options), note);
            }
        }
        // One size column only (or N and D moving together): the one-variable law over the first size column present.
        string variable = table.HasParameters ? "params" : table.HasFlops ? "flops" : "tokens";
        return new FitResult(path, "loss", 0, PowerLawFitter.Fit(table.PowerLawPoints(variable), variable, options), null,
            table.HasParameters && table.HasTokens ? "parameters and tokens do not vary independently; fitted L(params) only" : null);
    }

    /// <param name="where">The sweep directory, or the store's masked URL.</param>
    public static FitResult FromSweep(SweepData sweep, string where, FitAxis axis, FitTarget target, ScalingFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var (points, leftOut) = SweepFitInput.PowerLaw(sweep, axis, target);
        var powerLaw = PowerLawFitter.Fit(points, axis.Name(), options);
        var joint = SweepFitInput.Joint(sweep, target);
        string source = sweep.Source == SweepData.StoreSource ? $"{where}, sweep {sweep.Name} ({sweep.Source})" : $"{where} ({sweep.Source})";
        return new FitResult(source, target.Name(), leftOut, powerLaw,
            JointScalingFitter.CanSeparate(joint) ? JointScalingFitter.Fit(joint, options) : null, null);
    }
}
