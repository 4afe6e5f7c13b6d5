using System.Globalization;
using ScaleLab.Core.Formats.Gguf;

namespace ScaleLab.Core.Import.Checkpoints;

/// <summary>GGUF metadata values as one line of text: numbers invariant, long strings cut, arrays summarised.</summary>
public static class GgufValueText
{
    /// <summary>Strings longer than this (chat templates) are cut with "…" and their length.</summary>
    public const int MaxStringChars = 80;

    /// <summary>Arrays up to this many elements are listed; longer ones show their first few and their length.</summary>
    public const int MaxListedElements = 8;

    public static string Format(object value) => value switch
    {
        GgufArray array => Array(array),
        string text => text.Length <= MaxStringChars
            ? text.ReplaceLineEndings("\\n")
            : string.Create(CultureInfo.InvariantCulture, $"{text[..MaxStringChars].ReplaceLineEndings("\\n")}… ({text.Length} chars)"),
        bool flag => flag ? "true" : "false",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Array(GgufArray array)
    {
        var shown = array.Values.Take(MaxListedElements).Select(v => v is string s ? $"\"{Format(s)}\"" : Format(v));
        string list = string.Join(", ", shown);
        return array.Length <= MaxListedElements
            ? $"[{list}]"
            : string.Create(CultureInfo.InvariantCulture, $"[{list}, …] ({array.Length} × {array.ElementType})");
    }
}
