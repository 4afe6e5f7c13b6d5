using System.Text;

namespace ScaleLab.Core;

/// <summary>Writes a file whole or not at all: to a temporary file beside it, then renamed over it (rename is atomic on one file system).</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        string temp = path + ".tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
