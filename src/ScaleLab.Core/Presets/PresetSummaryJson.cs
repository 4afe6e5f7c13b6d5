using System.Text;
using System.Text.Json;

namespace ScaleLab.Core.Presets;

/// <summary>`scalelab estimate --list --json`: docs/schemas/presets.schema.json.</summary>
public static class PresetSummaryJson
{
    public const string SchemaId = "scalelab.presets/1";

    public static string Write(IReadOnlyList<PresetSummary> presets)
    {
        ArgumentNullException.ThrowIfNull(presets);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("schema", SchemaId);
            w.WriteStartArray("presets");
            foreach (var p in presets)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteString("family", p.Family);
                if (p.Description is { } d) w.WriteString("description", d);
                w.WriteStartObject("parameters");
                w.WriteNumber("total", p.Parameters);
                w.WriteNumber("active", p.ActiveParameters);
                w.WriteNumber("active_without_embedding", p.ActiveWithoutEmbedding);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
