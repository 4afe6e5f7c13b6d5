namespace ScaleLab.Torch.Data;

/// <summary>
/// Which data to load and how to cut it.
/// <para>Name: "fashion-mnist" | "mnist" | "kmnist" (IDX files) | "csv:PATH[;label=COL|;target=COL,COL]" (tabular)
/// | "text:PATH" (character-level language model).</para>
/// <para>Directory: where the IDX files are; when null: $SCALELAB_DATA, then /usr/share/datasets/NAME, then the
/// embedded subset (data/fashion-mnist beside the executable). See <see cref="DataDirectory"/>.</para>
/// <para>TrainFraction keeps the first fraction of the training split (for data-scaling studies); Limit then caps
/// the training and test splits at that many samples; ValidationFraction is carved from the end of what remains
/// (<see cref="SplitPlan"/>).</para>
/// <para>SequenceLength is the window for text; Seed orders CSV rows before they are split (see <see cref="CsvData"/>).</para>
/// </summary>
public sealed record DataRequest(
    string Name = "fashion-mnist",
    string? Directory = null,
    double TrainFraction = 1.0,
    double ValidationFraction = 0.1,
    long? Limit = null,
    int SequenceLength = 64,
    int Seed = 0)
{
    /// <summary>
    /// Reads a --data value: a known set name, a csv:/text: form, or a directory of MNIST-format files. A directory
    /// named after a known set (…/mnist) takes that set's class names; any other directory is read as Fashion-MNIST.
    /// </summary>
    public static DataRequest FromArgument(string value, DataRequest? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var baseline = defaults ?? new DataRequest();
        if (DataSources.IdxNames.Contains(value) || value.StartsWith("csv:", StringComparison.Ordinal) ||
            value.StartsWith("text:", StringComparison.Ordinal))
            return baseline with { Name = value, Directory = null };
        string folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(value));
        string name = DataSources.IdxNames.Contains(folder) ? folder : "fashion-mnist";
        return baseline with { Name = name, Directory = value };
    }
}
