using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleLab.Core.Json;

/// <summary>
/// Writes name/value pairs (a checkpoint's metadata, GGUF's architecture keys) as one JSON object in the order the file
/// holds them, which a dictionary would not promise. Output only: such pairs are never read back from our documents.
/// </summary>
public sealed class TextFieldsConverter : JsonConverter<IReadOnlyList<KeyValuePair<string, string>>>
{
    public override IReadOnlyList<KeyValuePair<string, string>> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("text fields are written, never read");

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, string>> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        foreach (var (key, text) in value) writer.WriteString(key, text);
        writer.WriteEndObject();
    }
}
