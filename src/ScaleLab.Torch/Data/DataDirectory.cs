namespace ScaleLab.Torch.Data;

/// <summary>One place an IDX data set may be, and whether its four files are there.</summary>
public sealed record DataLocation(string Path, string Origin, bool HasFiles);

/// <summary>
/// Where an MNIST-format data set is found, in this order:
/// 1. the directory given (--data DIR / DataRequest.Directory) — an error if it lacks the files, never skipped;
/// 2. $SCALELAB_DATA/NAME, then $SCALELAB_DATA itself;
/// 3. ~/.local/share/scalelab/datasets/NAME ($XDG_DATA_HOME honoured), where `scalelab data fetch` puts files by default;
/// 4. /usr/share/datasets/NAME (Debian's dataset-fashion-mnist installs there);
/// 5. the embedded subset, data/NAME beside the executable (only fashion-mnist ships one).
/// </summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "SCALELAB_DATA";

    public const string SystemRoot = "/usr/share/datasets";

    /// <summary>The folder, beside the executable, that the build copies the repository's data/ into.</summary>
    public static string EmbeddedRoot => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>Where fetched data sets go by default: $XDG_DATA_HOME/scalelab/datasets (XDG Base Directory spec), else ~/.local/share/….</summary>
    public static string FetchRoot
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            string root = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
                : xdg;
            return Path.Combine(root, "scalelab", "datasets");
        }
    }

    /// <summary>The four MNIST-format files, by their official names (each may also end in .gz).</summary>
    public static readonly IReadOnlyList<string> FileStems =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Every place looked at for <paramref name="name"/>, in resolution order (for `scalelab data info`).</summary>
    public static IReadOnlyList<DataLocation> Candidates(
        string name, string? directory, string? environment = null, string systemRoot = SystemRoot, string? embeddedRoot = null,
        string? fetchRoot = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var list = new List<DataLocation>();
        if (directory is not null) list.Add(Locate(directory, "--data"));
        environment ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(environment))
        {
            list.Add(Locate(Path.Combine(environment, name), $"${EnvironmentVariable}/{name}"));
            list.Add(Locate(environment, $"${EnvironmentVariable}"));
        }
        list.Add(Locate(Path.Combine(fetchRoot ?? FetchRoot, name), "fetched"));
        list.Add(Locate(Path.Combine(systemRoot, name), "system"));
        list.Add(Locate(Path.Combine(embeddedRoot ?? EmbeddedRoot, name), "embedded"));
        return list;
    }

    /// <summary>The first candidate holding all four files; an explicit directory is used or rejected, never skipped.</summary>
    public static DataLocation Resolve(
        string name, string? directory, string? environment = null, string systemRoot = SystemRoot, string? embeddedRoot = null,
        string? fetchRoot = null)
    {
        var candidates = Candidates(name, directory, environment, systemRoot, embeddedRoot, fetchRoot);
        if (directory is not null)
        {
            var given = candidates[0];
            if (!Directory.Exists(given.Path)) throw new DataException(given.Path, "data directory not found");
            if (!given.HasFiles) throw new DataException(given.Path, MissingMessage(given.Path));
            return given;
        }
        foreach (var candidate in candidates)
            if (candidate.HasFiles) return candidate;
        throw new DataException(name,
            $"no MNIST-format files found; looked in {string.Join(", ", candidates.Select(c => c.Path))}. " +
            $"Pass --data DIR, set ${EnvironmentVariable}, or run `scalelab data fetch {name}`");
    }

    /// <summary>The path of FILESTEM in <paramref name="directory"/>: the raw file if present, else FILESTEM.gz, else null.</summary>
    public static string? FindFile(string directory, string stem)
    {
        string raw = Path.Combine(directory, stem);
        if (File.Exists(raw)) return raw;
        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    /// <summary>What is missing from a directory, listing the files by name.</summary>
    public static string MissingMessage(string directory)
    {
        var missing = FileStems.Where(s => FindFile(directory, s) is null).ToList();
        return $"missing {string.Join(", ", missing.Select(m => m + "[.gz]"))} (an MNIST-format directory holds the four IDX files " +
               $"{string.Join(", ", FileStems)}, raw or .gz)";
    }

    private static DataLocation Locate(string path, string origin) =>
        new(path, origin, Directory.Exists(path) && FileStems.All(s => FindFile(path, s) is not null));
}
