using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleLab.Torch.Runs;

/// <summary>JSON of the run directory: snake_case keys, written atomically (temp file + rename) so a killed run never leaves half a file.</summary>
public static class RunJson
{
    public static JsonSerializerOptions Options => Core.Json.ScaleLabJson.Options;

    /// <summary>One-line form, for metrics.jsonl and progress events.</summary>
    public static JsonSerializerOptions Compact => Core.Json.ScaleLabJson.Compact;

    public static void WriteAtomically(string path, string text) => Core.AtomicFile.WriteAllText(path, text);

    public static void Write<T>(string path, T value) => WriteAtomically(path, JsonSerializer.Serialize(value, Options) + "\n");

    public static T Read<T>(string path)
    {
        if (!File.Exists(path)) throw new RunDirectoryException(path, "file not found");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                ?? throw new RunDirectoryException(path, "holds JSON null");
        }
        catch (JsonException ex)
        {
            throw new RunDirectoryException(path, $"not valid JSON: {ex.Message}");
        }
    }
}
