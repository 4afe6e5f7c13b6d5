using System.Globalization;
using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>What every ScaleLab plot shares: size, fonts, palette, log axes (ScottPlot 5 plots log10 of the data and labels the ticks), PNG export.</summary>
internal static class PlotCanvas
{
    public const int Width = 900, Height = 560;

    public static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    public static Plot Create(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, 18);
        plot.XLabel(xLabel, 15);
        plot.YLabel(yLabel, 15);
        return plot;
    }

    public static PlotImage Render(Plot plot, string fileName, string title, int width = Width, int height = Height) =>
        new(fileName, title, plot.GetImageBytes(width, height, ImageFormat.Png), width, height);

    /// <summary>Puts ticks on a log10 axis at round values of the original data between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static void LogTicks(IAxis axis, double min, double max)
    {
        var (positions, labels) = LogTickValues(min, max);
        axis.SetTicks(positions, labels);
    }

    /// <summary>Decades (with 2 and 5 between them up to three decades) over a wide range; under 30× evenly spaced round values.</summary>
    internal static (double[] Positions, string[] Labels) LogTickValues(double min, double max)
    {
        var values = new List<double>();
        int low = (int)Math.Floor(Math.Log10(min)), high = (int)Math.Ceiling(Math.Log10(max));
        if (max / min >= 30)
        {
            double[] steps = max / min <= 1000 ? [1, 2, 5] : [1];
            for (int k = low; k <= high; k++) values.AddRange(steps.Select(s => s * Math.Pow(10, k)));
        }
        else
        {
            double step = NiceStep((max - min) / 6);
            for (double v = Math.Floor(min / step) * step; v <= (max + step); v += step)
                if (v > 0) values.Add(Math.Round(v / step) * step);
        }
        double[] kept = [.. values.Where(v => v >= min / 1.5 && v <= max * 1.5).Distinct()];
        return ([.. kept.Select(Math.Log10)], [.. kept.Select(Compact)]);
    }

    private static double NiceStep(double raw)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / power;
        return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power;
    }

    /// <summary>1.5k, 20M, 3G for counts; 0.35 for small values; 1e15 beyond tera.</summary>
    public static string Compact(double value)
    {
        double a = Math.Abs(value);
        if (a >= 1e13) return value.ToString("0.#e0", CultureInfo.InvariantCulture);
        (double scale, string suffix) = a >= 1e12 ? (1e12, "T") : a >= 1e9 ? (1e9, "G") : a >= 1e6 ? (1e6, "M") : a >= 1e3 ? (1e3, "k") : (1, "");
        if (suffix.Length == 0) return value.ToString(a >= 1 ? "0.##" : a >= 0.01 || a == 0 ? "0.###" : "G2", CultureInfo.InvariantCulture);
        return (value / scale).ToString("0.##", CultureInfo.InvariantCulture) + suffix;
    }
}

/// <summary>A colour scale that is not a heatmap, so a plot can show a colour bar for point colours.</summary>
internal sealed class ColorScale(IColormap colormap, double min, double max) : IHasColorAxis
{
    public IColormap Colormap { get; set; } = colormap;

    public ScottPlot.Range GetRange() => new(min, max);

    public Color ColorOf(double value) => Colormap.GetColor(max > min ? (value - min) / (max - min) : 0.5);
}
