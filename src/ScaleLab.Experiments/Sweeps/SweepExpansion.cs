using System.Globalization;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// Turns a sweep into its trials: the cartesian product of the axes (first axis varies slowest) or the explicit list,
/// each repeated over seeds when "repeats" &gt; 1, every trial resolved and checked up front, so a sweep that starts
/// has no trial that cannot be built, and no two trials that are the same.
/// </summary>
public static class SweepExpansion
{
    public static IReadOnlyList<TrialPlan> Expand(SweepSpec sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var settings = sweep.Axes.Count > 0 ? Grid(sweep.Axes) : sweep.Trials;
        if (sweep.Repeats > 1) settings = Repeat(sweep, settings);
        var plans = new List<TrialPlan>(settings.Count);
        var seen = new Dictionary<string, TrialPlan>(StringComparer.Ordinal);
        for (int i = 0; i < settings.Count; i++)
        {
            var duplicateAxis = settings[i].GroupBy(s => s.Axis).FirstOrDefault(g => g.Count() > 1);
            if (duplicateAxis is not null)
                throw new SweepException($"{sweep.Source}: trial {I(i)}: sets {duplicateAxis.Key.Name()} twice");
            var plan = TrialResolver.Resolve(sweep, i, settings[i]);
            if (seen.TryGetValue(plan.Id, out var first))
            {
                throw new SweepException(
                    $"{sweep.Source}: trial {I(i)} ({plan.Label}) is the same as trial {I(first.Index)} ({first.Label}): both resolve to the same model and training config (id {plan.Id}); remove one");
            }
            seen[plan.Id] = plan;
            plans.Add(plan);
        }
        return plans;
    }

    private static List<IReadOnlyList<AxisSetting>> Grid(IReadOnlyList<(SweepAxis Axis, IReadOnlyList<AxisSetting> Values)> axes)
    {
        IEnumerable<IReadOnlyList<AxisSetting>> product = [[]];
        foreach (var (_, values) in axes)
            product = [.. product.SelectMany(prefix => values.Select(v => (IReadOnlyList<AxisSetting>)[.. prefix, v]))];
        return [.. product];
    }

    private static List<IReadOnlyList<AxisSetting>> Repeat(SweepSpec sweep, IReadOnlyList<IReadOnlyList<AxisSetting>> settings)
    {
        if (settings.Any(t => t.Any(s => s.Axis == SweepAxis.Seed)))
            throw new SweepException($"{sweep.Source}: repeats: {I(sweep.Repeats)} repeats and a seed axis both set seeds; use one of them");
        return [.. settings.SelectMany(t => Enumerable.Range(0, sweep.Repeats)
            .Select(r => (IReadOnlyList<AxisSetting>)[.. t, new AxisSetting(SweepAxis.Seed, sweep.Training.Seed + r)]))];
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
