using System.Globalization;

namespace ScaleLab.Core.Formatting;

/// <summary>
/// Numbers for people: counts with SI prefixes ("1.41 M", "1.81 G"), bytes with binary prefixes ("5.38 MiB"),
/// exact counts with thousands separators ("1,410,750"). Always InvariantCulture, always two decimals above 1000,
/// so columns line up and golden files do not depend on the machine's locale.
/// </summary>
public static class HumanUnits
{
    private static readonly string[] SiPrefixes = ["", "K", "M", "G", "T", "P", "E"];
    private static readonly string[] BinaryPrefixes = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>1410750 → "1.41 M"; 93322 → "93.32 K"; 250 → "250". Decimal (SI) steps of 1000.</summary>
    public static string Count(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) return value.ToString(CultureInfo.InvariantCulture);
        double magnitude = Math.Abs(value);
        if (magnitude < 1000) return FormatSmall(value);
        int step = 0;
        while (magnitude >= 999.995 && step < SiPrefixes.Length - 1)
        {
            magnitude /= 1000;
            value /= 1000;
            step++;
        }
        return value.ToString("0.00", CultureInfo.InvariantCulture) + " " + SiPrefixes[step];
    }

    private static readonly string[] ThingPrefixes = ["", "K", "M", "B", "T"];

    /// <summary>
    /// Counts of things — parameters, tokens, samples — as the field writes them: 1.56e9 → "1.56 B", 1.4e12 → "1.40 T"
    /// (thousand, million, billion, trillion). Compute keeps SI prefixes (<see cref="Count(double)"/>: 1.56 GFLOPs).
    /// </summary>
    public static string Things(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) return value.ToString(CultureInfo.InvariantCulture);
        double magnitude = Math.Abs(value);
        if (magnitude < 1000) return FormatSmall(value);
        int step = 0;
        while (magnitude >= 999.995 && step < ThingPrefixes.Length - 1)
        {
            magnitude /= 1000;
            value /= 1000;
            step++;
        }
        return value.ToString("0.00", CultureInfo.InvariantCulture) + " " + ThingPrefixes[step];
    }

    /// <summary>A count with a unit: (1.81e9, "FLOPs") → "1.81 GFLOPs"; (250, "MACs") → "250 MACs".</summary>
    public static string Count(double value, string unit)
    {
        string text = Count(value);
        return char.IsDigit(text[^1]) ? text + " " + unit : text + unit;
    }

    /// <summary>5643000 → "5.38 MiB"; 812 → "812 B". Binary (IEC) steps of 1024.</summary>
    public static string Bytes(long bytes) => Bytes((double)bytes);

    public static string Bytes(double bytes)
    {
        double magnitude = Math.Abs(bytes);
        if (magnitude < 1024) return bytes.ToString("0", CultureInfo.InvariantCulture) + " B";
        int step = 0;
        while (magnitude >= 1023.995 && step < BinaryPrefixes.Length - 1)
        {
            magnitude /= 1024;
            bytes /= 1024;
            step++;
        }
        return bytes.ToString("0.00", CultureInfo.InvariantCulture) + " " + BinaryPrefixes[step];
    }

    /// <summary>1410750 → "1,410,750".</summary>
    public static string Exact(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>Seconds for people: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".</summary>
    public static string Duration(double seconds)
    {
        if (seconds < 1) return (seconds * 1000).ToString("0", CultureInfo.InvariantCulture) + " ms";
        if (seconds < 60) return seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        var span = TimeSpan.FromSeconds(seconds);
        if (span.TotalHours < 1)
            return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds:00} s");
        return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:00} min");
    }

    private static string FormatSmall(double value) =>
        value == Math.Floor(value)
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : value.ToString("0.##", CultureInfo.InvariantCulture);
}
