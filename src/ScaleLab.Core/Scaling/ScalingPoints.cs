namespace ScaleLab.Core.Scaling;

/// <summary>One measurement for L(x) = E + A·x^(−α): a size x (parameters, training FLOPs or samples) and its loss.
/// Source says where it came from ("results.csv line 7", "trial w2-s0") so an error can point at it.</summary>
public sealed record PowerLawPoint(double X, double Loss, string Source = "");

/// <summary>One measurement for L(N, D) = E + A/N^α + B/D^β: parameters N, training tokens (or samples) D, and the loss.</summary>
public sealed record JointPoint(double Parameters, double Tokens, double Loss, string Source = "");

/// <summary>Checks shared by both fitters; every message names the point, the column and the value.</summary>
internal static class ScalingInput
{
    public static void RequirePositive(double value, string column, int index, string source)
    {
        if (double.IsFinite(value) && value > 0) return;
        string where = source.Length > 0 ? $"point {index + 1} ({source})" : $"point {index + 1}";
        string shown = double.IsNaN(value) ? "NaN" : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        throw new ScalingFitException($"{where}: {column} = {shown}; every {column} value must be a positive, finite number (the law is fitted on logarithms)");
    }

    public static void RequireCount(int points, int constants, string constantNames, string what)
    {
        if (points > constants) return;
        throw new ScalingFitException(
            $"{what}: {points} point{(points == 1 ? "" : "s")} for {constants} constants ({constantNames}); need at least {constants + 1} (one more than the constants, to measure the spread)");
    }

    public static void RequireDistinct(IEnumerable<double> values, int needed, string column, string why)
    {
        var distinct = values.Distinct().Order().ToList();
        if (distinct.Count >= needed) return;
        string list = string.Join(", ", distinct.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
        throw new ScalingFitException($"only {distinct.Count} distinct {column} value{(distinct.Count == 1 ? "" : "s")} ({list}); {why} needs at least {needed}");
    }
}
