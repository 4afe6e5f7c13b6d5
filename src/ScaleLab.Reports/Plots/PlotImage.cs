namespace ScaleLab.Reports.Plots;

/// <summary>A rendered plot: PNG bytes with their pixel size, and a file name for when it is written out.</summary>
public sealed record PlotImage(string FileName, string Title, byte[] Png, int Width, int Height)
{
    /// <summary>Writes the PNG atomically (temp file + rename), so a reader never sees half an image.</summary>
    public string Save(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, Png);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
