using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ScaleLab.Core.Import.Checkpoints;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `scalelab inspect --json`: the CheckpointSummary, snake_case, raw counts and bytes, schema "scalelab.inspect/3"
/// (docs/schemas/inspect.schema.json). Version 2: "parameters" is an object {"total"}, as in every other document, and
/// layers[].kind "finalnorm" became "final_norm". Version 3: a compressed model file (ScaleLab's compressed/1 or a
/// compressed-tensors checkpoint) counts its logical parameters in parameters.total, adds parameters.non_zero and a
/// "compressed" object with each logical tensor's encoding, non-zeros, stored bytes and bits per weight.
/// </summary>
internal static class InspectJson
{
    public const string SchemaId = "scalelab.inspect/3";

    public static string Write(CheckpointSummary s)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", SchemaId);
            w.WriteString("path", s.Path);
            w.WriteString("format", s.Format);
            w.WriteNumber("files", s.Files);
            w.WriteNumber("file_bytes", s.FileBytes);
            w.WriteStartObject("parameters");
            w.WriteNumber("total", s.ModelParameters);
            if (s.Compressed is { } c) w.WriteNumber("non_zero", c.NonZero);
            w.WriteEndObject();
            w.WriteNumber("tensor_bytes", s.TensorBytes);
            w.WriteStartArray("by_dtype");
            foreach (var d in s.ByDType)
            {
                w.WriteStartObject();
                w.WriteString("dtype", d.DType);
                w.WriteNumber("tensors", d.Tensors);
                w.WriteNumber("parameters", d.Parameters);
                w.WriteNumber("bytes", d.Bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            Map(w, "architecture", s.Architecture);
            Map(w, "metadata", s.Metadata);
            w.WriteStartArray("layers");
            foreach (var g in s.Layers)
            {
                w.WriteStartObject();
                w.WriteString("name", g.Name);
                w.WriteString("kind", g.Kind.Name());
                if (g.Index is { } index) w.WriteNumber("index", index);
                w.WriteNumber("tensors", g.Tensors);
                w.WriteNumber("parameters", g.Parameters);
                w.WriteNumber("bytes", g.Bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("tensors");
            foreach (var t in s.Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("dtype", t.DType);
                w.WriteStartArray("shape");
                foreach (long d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteNumber("parameters", t.Parameters);
                w.WriteNumber("bytes", t.Bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (s.Compressed is { } compressed) Compressed(w, compressed);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Compressed(Utf8JsonWriter w, CompressedContents c)
    {
        w.WriteStartObject("compressed");
        w.WriteString("layout", c.Layout);
        w.WriteNumber("parameters", c.Parameters);
        w.WriteNumber("non_zero", c.NonZero);
        w.WriteStartArray("tensors");
        foreach (var t in c.Tensors)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteStartArray("shape");
            foreach (long d in t.Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteString("encoding", t.Encoding);
            w.WriteNumber("parameters", t.Parameters);
            w.WriteNumber("non_zero", t.NonZero);
            w.WriteNumber("stored_bytes", t.StoredBytes);
            w.WriteNumber("bits_per_weight", Math.Round(t.BitsPerWeight, 4));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Map(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in pairs) w.WriteString(key, value);
        w.WriteEndObject();
    }
}
