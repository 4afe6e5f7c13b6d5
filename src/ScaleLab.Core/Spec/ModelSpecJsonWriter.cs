using System.Text;
using System.Text.Json;

namespace ScaleLab.Core.Spec;

/// <summary>
/// Writes a <see cref="ModelSpec"/> back to spec JSON in a canonical form (every field explicit, snake_case keys),
/// so that Parse(Write(spec)) describes the same model: specs round-trip, and every run can store its full spec.
/// </summary>
public static class ModelSpecJsonWriter
{
    public static string Write(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", spec.Name);
            if (spec.Description is not null) w.WriteString("description", spec.Description);
            w.WriteString("task", TaskName(spec.Task));
            if (spec.Transformer is not null)
            {
                if (spec.Input is { Rank: 1 } context) w.WriteNumber("context", context[0]);
                w.WritePropertyName("transformer");
                TransformerSpecJsonWriter.Write(w, spec.Transformer);
            }
            else
            {
                w.WritePropertyName("input");
                WriteLongs(w, spec.Input?.Dims ?? []);
                w.WriteBoolean("input_tokens", spec.InputIsTokens);
                w.WritePropertyName("layers");
                WriteLayers(w, spec.Layers);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    internal static string TaskName(TaskKind task) => task switch
    {
        TaskKind.Regression => "regression",
        TaskKind.LanguageModel => "language_model",
        _ => "classification",
    };

    private static void WriteLayers(Utf8JsonWriter w, IReadOnlyList<LayerSpec> layers)
    {
        w.WriteStartArray();
        foreach (var layer in layers) WriteLayer(w, layer);
        w.WriteEndArray();
    }

    private static void WriteLayer(Utf8JsonWriter w, LayerSpec layer)
    {
        w.WriteStartObject();
        w.WriteString("type", layer.Type);
        if (layer.Name is not null) w.WriteString("name", layer.Name);
        switch (layer)
        {
            case LinearLayer l:
                w.WriteNumber("units", l.Units);
                w.WriteBoolean("bias", l.Bias);
                break;
            case ConvLayer c:
                w.WriteNumber("filters", c.Filters);
                WriteTuple(w, "kernel", c.Kernel);
                WriteTuple(w, "stride", c.Stride);
                if (c.PaddingMode == PaddingMode.Explicit) WriteTuple(w, "padding", c.Padding);
                else w.WriteString("padding", c.PaddingMode == PaddingMode.Same ? "same" : "valid");
                WriteTuple(w, "dilation", c.Dilation);
                w.WriteNumber("groups", c.Groups);
                w.WriteBoolean("bias", c.Bias);
                break;
            case PoolLayer p:
                WriteTuple(w, "kernel", p.Kernel);
                WriteTuple(w, "stride", p.Stride);
                WriteTuple(w, "padding", p.Padding);
                break;
            case AdaptiveAvgPoolLayer a when !a.Global:
                WriteTuple(w, "output", a.OutputSize);
                break;
            case BatchNormLayer b:
                w.WriteNumber("eps", b.Epsilon);
                w.WriteNumber("momentum", b.Momentum);
                w.WriteBoolean("affine", b.Affine);
                break;
            case LayerNormLayer n:
                w.WriteNumber("eps", n.Epsilon);
                w.WriteBoolean("affine", n.Affine);
                w.WriteBoolean("bias", n.Bias);
                break;
            case RmsNormLayer r:
                w.WriteNumber("eps", r.Epsilon);
                break;
            case DropoutLayer d:
                w.WriteNumber("rate", d.Rate);
                break;
            case ActivationLayer { Kind: ActivationKind.LeakyRelu } a:
                w.WriteNumber("negative_slope", a.NegativeSlope);
                break;
            case EmbeddingLayer e:
                w.WriteNumber("vocab", e.Vocab);
                w.WriteNumber("dim", e.Dim);
                break;
            case RecurrentLayer r:
                w.WriteNumber("hidden", r.Hidden);
                w.WriteNumber("num_layers", r.NumLayers);
                w.WriteBoolean("bidirectional", r.Bidirectional);
                w.WriteBoolean("batch_first", r.BatchFirst);
                w.WriteBoolean("bias", r.Bias);
                w.WriteBoolean("return_sequences", r.ReturnSequences);
                break;
            case AttentionLayer at:
                w.WriteNumber("heads", at.Heads);
                if (at.KvHeads is { } kv) w.WriteNumber("kv_heads", kv);
                w.WriteBoolean("causal", at.Causal);
                w.WriteBoolean("bias", at.Bias);
                break;
            case ResidualLayer res:
                w.WritePropertyName("body");
                WriteLayers(w, res.Body);
                if (res.Projection is { Count: > 0 } projection)
                {
                    w.WritePropertyName("projection");
                    WriteLayers(w, projection);
                }
                break;
        }
        w.WriteEndObject();
    }

    /// <summary>An int when all entries agree (3), else the list ([3, 1]): the way people write it.</summary>
    private static void WriteTuple(Utf8JsonWriter w, string field, IReadOnlyList<int> values)
    {
        if (values.Distinct().Count() == 1)
        {
            w.WriteNumber(field, values[0]);
            return;
        }
        w.WriteStartArray(field);
        foreach (int v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static void WriteLongs(Utf8JsonWriter w, IEnumerable<long> values)
    {
        w.WriteStartArray();
        foreach (long v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
