using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleLab.Core.Accounting;

namespace ScaleLab.Torch.Training;

/// <summary>
/// A config's "optimizer" in JSON: the names of <see cref="OptimizerKindInfo"/> (the ones `estimate --optimizer`
/// takes), read with its one parser and written with its one name map.
/// </summary>
public sealed class OptimizerKindJsonConverter : JsonConverter<OptimizerKind>
{
    public override OptimizerKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) throw new JsonException("is null; give an optimizer name or leave the key out");
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected an optimizer name, got {reader.TokenType}");
        string text = reader.GetString()!;
        return OptimizerKindInfo.TryParse(text, out var kind) ? kind : throw new JsonException(OptimizerKindInfo.UnknownMessage(text));
    }

    public override void Write(Utf8JsonWriter writer, OptimizerKind value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Name());
    }
}
