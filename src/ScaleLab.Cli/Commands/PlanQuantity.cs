using System.Globalization;
using ScaleLab.Core;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// Large counts as people type them: "1.4T", "300B" (billion), "2e12", "15_000_000". Suffixes are decimal:
/// K 10³, M 10⁶, B or G 10⁹, T 10¹², P 10¹⁵.
/// </summary>
internal static class PlanQuantity
{
    public static double Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim().Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        double scale = 1;
        if (trimmed.Length > 0 && char.IsLetter(trimmed[^1]) && !trimmed.EndsWith("e", StringComparison.OrdinalIgnoreCase))
        {
            scale = char.ToUpperInvariant(trimmed[^1]) switch
            {
                'K' => 1e3,
                'M' => 1e6,
                'B' or 'G' => 1e9,
                'T' => 1e12,
                'P' => 1e15,
                _ => 0,
            };
            trimmed = trimmed[..^1];
        }
        if (scale == 0 || !double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value * scale) || value <= 0)
            throw new ScaleLabException($"{option} '{text}': expected a positive number such as 1.4T, 300B, 2e12 or 15000000 (suffixes K, M, B/G, T, P are powers of 1000)");
        return value * scale;
    }
}
