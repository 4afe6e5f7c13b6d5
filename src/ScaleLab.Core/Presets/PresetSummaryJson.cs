using System.Text.Json.Serialization;
using ScaleLab.Core.Json;

namespace ScaleLab.Core.Presets;

/// <summary>`scalelab estimate --list --json`: docs/schemas/presets.schema.json.</summary>
public static class PresetSummaryJson
{
    public const string SchemaId = "scalelab.presets/1";

    public static string Write(IReadOnlyList<PresetSummary> presets)
    {
        ArgumentNullException.ThrowIfNull(presets);
        return ScaleLabJson.Write(new PresetsDocument(SchemaId, [.. presets.Select(p => new PresetEntry(p.Name, p.Family, p.Description,
            new PresetParameters(p.Parameters, p.ActiveParameters, p.ActiveWithoutEmbedding)))]));
    }
}

public sealed record PresetsDocument(string Schema, IReadOnlyList<PresetEntry> Presets);

public sealed record PresetEntry(string Name, string Family, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    PresetParameters Parameters);

public sealed record PresetParameters(long Total, long Active, long ActiveWithoutEmbedding);
