using System.Text.Json;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Runs;

/// <summary>
/// The run directory's JSON files (docs/run-directory.md): <see cref="ScaleLabJson.Options"/>, written atomically
/// (temp file + rename) so a killed run never leaves half a file.
/// </summary>
public static class RunJson
{
    public static void WriteAtomically(string path, string text) => AtomicFile.WriteAllText(path, text);

    public static void Write<T>(string path, T value) => WriteAtomically(path, JsonSerializer.Serialize(value, ScaleLabJson.Options) + "\n");

    public static T Read<T>(string path)
    {
        if (!File.Exists(path)) throw new RunDirectoryException(path, "file not found");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), ScaleLabJson.Options)
                ?? throw new RunDirectoryException(path, "holds JSON null");
        }
        catch (JsonException ex)
        {
            throw new RunDirectoryException(path, $"not valid JSON: {ex.Message}");
        }
    }
}
