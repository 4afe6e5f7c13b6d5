namespace ScaleLab.Core.Data;

/// <summary>
/// One CSV file with a header: classification on <see cref="Label"/> (null: the last column), or regression on
/// <see cref="Targets"/> when they are given. Text: "csv:PATH", "csv:PATH;label=COLUMN", "csv:PATH;target=A,B".
/// </summary>
public sealed record CsvSource(string Path, string? Label, IReadOnlyList<string>? Targets) : DataSource
{
    public override string Text =>
        CsvPrefix + Path + (Label is null ? "" : ";label=" + Label) + (Targets is null ? "" : ";target=" + string.Join(',', Targets));

    public override DataSource WithPathsRelativeTo(string baseDirectory, PathAnchoring anchoring) =>
        this with { Path = Anchor(Path, baseDirectory, anchoring) };

    // Records compare lists by reference; two sources naming the same targets are the same source.
    public bool Equals(CsvSource? other) =>
        base.Equals(other) && Path == other.Path && Label == other.Label &&
        (Targets is null ? other.Targets is null : other.Targets is not null && Targets.SequenceEqual(other.Targets, StringComparer.Ordinal));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Path, StringComparer.Ordinal);
        hash.Add(Label, StringComparer.Ordinal);
        foreach (string target in Targets ?? []) hash.Add(target, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    /// <summary>"PATH[;label=COLUMN|;target=A,B]", the part after "csv:" of <paramref name="text"/>.</summary>
    internal static CsvSource ParseBody(string text, string body)
    {
        var parts = body.Split(';');
        string path = parts[0];
        if (path.Length == 0)
            throw new DataSourceException(text, "no file path after 'csv:'; expected csv:PATH[;label=COLUMN|;target=COLUMN,...], e.g. csv:iris.csv;label=species");
        string? label = null;
        string[]? targets = null;
        foreach (var option in parts.Skip(1))
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? option : option[..eq], value = eq < 0 ? "" : option[(eq + 1)..];
            if (key == "label" && value.Length > 0) label = value;
            else if (key == "target" && value.Length > 0) targets = Columns(path, value);
            else throw new DataSourceException(path, $"unknown CSV option '{option}': expected label=COLUMN or target=COLUMN[,COLUMN...]");
        }
        if (label is not null && targets is not null)
            throw new DataSourceException(path, "give either label=COLUMN (classification) or target=COLUMNS (regression), not both");
        return new CsvSource(path, label, targets);
    }

    private static string[] Columns(string path, string list)
    {
        var columns = list.Split(',', StringSplitOptions.TrimEntries);
        if (columns.Any(c => c.Length == 0))
            throw new DataSourceException(path, $"target '{list}' has an empty column name; expected target=COLUMN[,COLUMN...]");
        return columns;
    }
}
