using System.Text.Json.Serialization;

namespace ScaleLab.Core.Data;

/// <summary>
/// What a run trains on, as config files and --data write it: "fashion-mnist" | "mnist" | "kmnist" (<see cref="IdxSource"/>),
/// "csv:PATH[;label=COLUMN|;target=COLUMN,COLUMN...]" (<see cref="CsvSource"/>) or "text:PATH" (<see cref="TextSource"/>).
/// <see cref="Parse"/> is the one reader of that text and <see cref="Text"/> its one writer: Parse(s.Text) == s for every
/// source (a CSV path, label or target cannot hold ';', nor a target ',': the text has no escape for them). Where the
/// IDX files are and how the data is cut travel beside the source (the config's data.directory, data.limit, ...).
/// </summary>
[JsonConverter(typeof(DataSourceJsonConverter))]
public abstract record DataSource
{
    public const string CsvPrefix = "csv:";
    public const string TextPrefix = "text:";

    /// <summary>The source of a config that names none: the embedded Fashion-MNIST subset ships with ScaleLab.</summary>
    public static DataSource Default { get; } = new IdxSource(IdxSet.FashionMnist);

    private protected DataSource() { }

    /// <summary>The canonical text: the form <see cref="Parse"/> reads, written to config.json, summaries and messages.</summary>
    public abstract string Text { get; }

    public sealed override string ToString() => Text;

    /// <summary>
    /// The source with its file path made absolute against <paramref name="baseDirectory"/> (an IDX source has none and
    /// comes back as it is). <paramref name="anchoring"/> says what happens to a relative path with no file there.
    /// </summary>
    public abstract DataSource WithPathsRelativeTo(string baseDirectory, PathAnchoring anchoring);

    /// <summary>Whether <paramref name="text"/> is written as a source (a set name, csv:… or text:…), not a directory; Parse may still reject its options.</summary>
    public static bool HasSourceForm(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.StartsWith(CsvPrefix, StringComparison.Ordinal) || text.StartsWith(TextPrefix, StringComparison.Ordinal)
            || IdxSets.TryParse(text, out _);
    }

    /// <summary>The one parser of the source syntax; every failure is a <see cref="DataSourceException"/> naming the value and what is valid.</summary>
    public static DataSource Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith(CsvPrefix, StringComparison.Ordinal)) return CsvSource.ParseBody(text, text[CsvPrefix.Length..]);
        if (text.StartsWith(TextPrefix, StringComparison.Ordinal))
        {
            string path = text[TextPrefix.Length..];
            if (path.Length == 0) throw new DataSourceException(text, "no file path after 'text:'; expected text:PATH, e.g. text:data/alice.txt");
            return new TextSource(path);
        }
        if (IdxSets.TryParse(text, out var set)) return new IdxSource(set);
        throw new DataSourceException(text,
            $"unknown data set '{text}': expected {string.Join(", ", IdxSets.All.Select(s => s.Name()))}, csv:PATH or text:PATH (or a directory of MNIST-format IDX files)");
    }

    /// <summary>
    /// Both callers' rule for a relative path, in one place. Rooted paths are kept as they are under
    /// <see cref="PathAnchoring.WhereFileExists"/> and normalised under <see cref="PathAnchoring.Always"/>.
    /// </summary>
    private protected static string Anchor(string path, string baseDirectory, PathAnchoring anchoring)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        if (anchoring == PathAnchoring.Always) return Path.GetFullPath(path, baseDirectory);
        if (Path.IsPathRooted(path)) return path;
        string candidate = Path.GetFullPath(path, baseDirectory);
        return File.Exists(candidate) ? candidate : path;
    }
}

/// <summary>What <see cref="DataSource.WithPathsRelativeTo"/> does with a relative path.</summary>
public enum PathAnchoring
{
    /// <summary>
    /// Always absolute against the base (a sweep file: every trial process runs elsewhere, so a path must not depend on
    /// the working directory; a missing file is then reported at that absolute path).
    /// </summary>
    Always,

    /// <summary>
    /// Absolute against the base only when the file is there; otherwise kept relative to the working directory
    /// (`scalelab train config.json`: a config beside its data, or one naming data relative to where train is run).
    /// </summary>
    WhereFileExists,
}

/// <summary>An MNIST-format set, found by <c>DataDirectory</c> (data.directory, $SCALELAB_DATA, fetched, system, embedded).</summary>
public sealed record IdxSource(IdxSet Set) : DataSource
{
    public override string Text => Set.Name();

    public override DataSource WithPathsRelativeTo(string baseDirectory, PathAnchoring anchoring) => this;
}

/// <summary>A character-level corpus: one UTF-8 text file.</summary>
public sealed record TextSource(string Path) : DataSource
{
    public override string Text => TextPrefix + Path;

    public override DataSource WithPathsRelativeTo(string baseDirectory, PathAnchoring anchoring) =>
        this with { Path = Anchor(Path, baseDirectory, anchoring) };
}
