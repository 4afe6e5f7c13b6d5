using ScaleLab.Core.Data;

namespace ScaleLab.Torch.Data;

/// <summary>
/// Which data to load and how to cut it.
/// <para>Source: an MNIST-format set (IDX files), a CSV table or a text corpus (<see cref="DataSource"/>, whose text is
/// "fashion-mnist" | "mnist" | "kmnist" | "csv:PATH[;label=COL|;target=COL,COL]" | "text:PATH").</para>
/// <para>Directory: where the IDX files are; when null: $SCALELAB_DATA, then /usr/share/datasets/NAME, then the
/// embedded subset (data/fashion-mnist beside the executable). See <see cref="DataDirectory"/>.</para>
/// <para>TrainFraction keeps the first fraction of the training split (for data-scaling studies); Limit then caps
/// the training and test splits at that many samples; ValidationFraction is carved from the end of what remains
/// (<see cref="SplitPlan"/>).</para>
/// <para>SequenceLength is the window for text; Seed orders CSV rows before they are split (see <see cref="CsvData"/>).</para>
/// </summary>
public sealed record DataRequest(
    DataSource Source,
    string? Directory = null,
    double TrainFraction = 1.0,
    double ValidationFraction = 0.1,
    long? Limit = null,
    int SequenceLength = 64,
    int Seed = 0)
{
    /// <summary>A request for the default source (Fashion-MNIST) with every default.</summary>
    public DataRequest() : this(DataSource.Default) { }

    /// <summary>A --data value on top of <paramref name="defaults"/> (the run's or the config's request); see <see cref="ParseArgument"/>.</summary>
    public static DataRequest FromArgument(string value, DataRequest? defaults = null)
    {
        var (source, directory) = ParseArgument(value);
        return (defaults ?? new DataRequest()) with { Source = source, Directory = directory };
    }

    /// <summary>
    /// Reads a --data value (train, eval, compress): a source text (fashion-mnist, csv:PATH, text:PATH), else a directory of
    /// MNIST-format files — one that exists or is written as a path (holds a '/'). A directory named after a known set
    /// (…/mnist) takes that set's class names; any other is read as Fashion-MNIST. Anything else is an unknown data set.
    /// </summary>
    public static (DataSource Source, string? Directory) ParseArgument(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (DataSource.HasSourceForm(value)) return (DataSource.Parse(value), null);
        bool isPath = System.IO.Directory.Exists(value) || value.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || value.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal);
        if (!isPath) return (DataSource.Parse(value), null);   // throws: names the value and the valid forms
        string folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(value));
        return (new IdxSource(IdxSets.TryParse(folder, out var set) ? set : IdxSet.FashionMnist), value);
    }
}
