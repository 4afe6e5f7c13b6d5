using System.Globalization;

namespace ScaleLab.Cli.Rendering;

/// <summary>
/// One number format for a whole table column, so a reader compares digits, not notations (no "8.66E-10" above
/// "0.0005009"). A column whose non-zero magnitudes all lie in [0.001, 1e6) is fixed-point with enough decimals for
/// <c>significantDigits</c> of its smallest magnitude (at most 6); any other column is scientific with
/// <c>significantDigits</c> digits ("8.660e-10", "5.009e-04"). Non-finite values print as "NaN", "∞" or "−∞".
/// </summary>
internal static class ColumnFormat
{
    private const double FixedMin = 1e-3, FixedMax = 1e6;
    private const int MaxDecimals = 6;

    /// <summary>The .NET format string the column uses: "0.0000" style or "0.000e+00" style.</summary>
    public static string For(IEnumerable<double> column, int significantDigits = 4)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentOutOfRangeException.ThrowIfLessThan(significantDigits, 1);
        var magnitudes = column.Where(double.IsFinite).Select(Math.Abs).Where(m => m > 0).ToList();
        if (magnitudes.Count == 0) return "0";
        double smallest = magnitudes.Min(), largest = magnitudes.Max();
        if (smallest < FixedMin || largest >= FixedMax) return "0." + new string('0', significantDigits - 1) + "e+00";
        int decimals = Math.Clamp(significantDigits - 1 - (int)Math.Floor(Math.Log10(smallest)), 0, MaxDecimals);
        return decimals == 0 ? "0" : "0." + new string('0', decimals);
    }

    /// <summary>Every value of the column in the column's one format.</summary>
    public static IReadOnlyList<string> Apply(IReadOnlyList<double> column, int significantDigits = 4)
    {
        string format = For(column, significantDigits);
        return [.. column.Select(v => Text(v, format))];
    }

    private static string Text(double v, string format) => v switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "∞",
        double.NegativeInfinity => "−∞",
        _ => v.ToString(format, CultureInfo.InvariantCulture),
    };
}
