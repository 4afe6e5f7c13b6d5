using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// The frame of every `--json` document a command prints (docs/schemas/): one object, its first key "schema" with the
/// name and version ("scalelab.eval/1"), indented, non-ASCII text kept readable.
/// </summary>
internal static class JsonOutput
{
    public static string Write(string schema, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", schema);
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A number, or JSON null when the figure is not known (not applicable, not measured yet).</summary>
    public static void NumberOrNull(this Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    public static void NumberOrNull(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is long v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
