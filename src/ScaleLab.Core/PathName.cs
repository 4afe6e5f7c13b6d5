using System.Globalization;
using System.Text;

namespace ScaleLab.Core;

/// <summary>
/// Names that become folder names (a sweep's, a run's, a compression variant's) must stay inside their parent folder:
/// letters, digits and . _ - + = , only, at most <see cref="MaxLength"/> characters, not starting with a dot (so
/// neither ".." nor a hidden file). Names a person gives are checked and refused; names derived from a model's
/// description are made safe.
/// </summary>
public static class PathName
{
    public const int MaxLength = 100;

    public static bool IsSafe(string name) =>
        name.Length is > 0 and <= MaxLength && name[0] != '.' && name.All(IsAllowed);

    /// <summary>The name itself when it is safe; otherwise an error naming the file, the field and the value.</summary>
    public static string Check(string name, string source, string field)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsSafe(name)) return name;
        string shown = name.Length > 40 ? name[..40] + "…" : name;
        throw new ScaleLabException(string.Create(CultureInfo.InvariantCulture,
            $"{source}: {field}: \"{shown}\" cannot be a folder name; use 1 to {MaxLength} letters, digits, '.', '_', '-', '+', '=' or ',', not starting with '.'"));
    }

    /// <summary>A safe folder name made from any text: every other character becomes '-', a leading dot '_'.</summary>
    public static string Sanitize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var safe = new StringBuilder(Math.Min(text.Length, MaxLength));
        foreach (char c in text.Take(MaxLength)) safe.Append(IsAllowed(c) ? c : '-');
        if (safe.Length == 0) return "model";
        if (safe[0] == '.') safe[0] = '_';
        return safe.ToString();
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '=' or ',';
}
