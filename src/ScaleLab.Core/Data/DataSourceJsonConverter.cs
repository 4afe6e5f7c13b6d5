using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleLab.Core.Data;

/// <summary>
/// A <see cref="DataSource"/> in JSON is its text ("data": {"name": "csv:iris.csv;label=species"}), read with
/// <see cref="DataSource.Parse"/> and written as <see cref="DataSource.Text"/>, so config files keep their format and a
/// config.json written by train reads back as the same source.
/// </summary>
public sealed class DataSourceJsonConverter : JsonConverter<DataSource>
{
    // Called for null too: a config's "name": null is refused here, naming what would be valid.
    public override bool HandleNull => true;

    public override DataSource Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
            throw new JsonException("is null; give a data source (fashion-mnist, mnist, kmnist, csv:PATH or text:PATH) or leave the key out");
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected a data source name, got {reader.TokenType}");
        try
        {
            return DataSource.Parse(reader.GetString()!);
        }
        catch (DataSourceException ex)
        {
            // The reader prefixes the file and the field ($.data.name); the problem quotes the value.
            throw new JsonException(ex.Problem, ex);
        }
    }

    public override void Write(Utf8JsonWriter writer, DataSource value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.Text);
    }
}
