using System.Text.Json.Serialization;
using ScaleLab.Core.Import.Checkpoints;
using ScaleLab.Core.Json;

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

    public static string Write(CheckpointSummary s) => ScaleLabJson.Write(new InspectDocument(
        SchemaId, s.Path, s.Format, s.Files, s.FileBytes, new InspectParameters(s.ModelParameters, s.Compressed?.NonZero), s.TensorBytes,
        s.ByDType, s.Architecture, s.Metadata,
        [.. s.Layers.Select(g => new InspectLayer(g.Name, g.Kind.Name(), g.Index, g.Tensors, g.Parameters, g.Bytes))],
        s.Tensors, s.Compressed is { } c ? InspectCompressed.From(c) : null));

    private sealed record InspectDocument(
        string Schema, string Path, string Format, int Files, long FileBytes, InspectParameters Parameters, long TensorBytes,
        IReadOnlyList<DTypeTotal> ByDtype,
        [property: JsonConverter(typeof(TextFieldsConverter))] IReadOnlyList<KeyValuePair<string, string>> Architecture,
        [property: JsonConverter(typeof(TextFieldsConverter))] IReadOnlyList<KeyValuePair<string, string>> Metadata,
        IReadOnlyList<InspectLayer> Layers, IReadOnlyList<CheckpointTensor> Tensors,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] InspectCompressed? Compressed);

    private sealed record InspectParameters(long Total, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? NonZero);

    private sealed record InspectLayer(string Name, string Kind, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Index,
        int Tensors, long Parameters, long Bytes);

    private sealed record InspectCompressed(string Layout, long Parameters, long NonZero, IReadOnlyList<InspectCompressedTensor> Tensors)
    {
        public static InspectCompressed From(CompressedContents c) => new(c.Layout, c.Parameters, c.NonZero,
            [.. c.Tensors.Select(t => new InspectCompressedTensor(t.Name, t.Shape, t.Encoding, t.Parameters, t.NonZero, t.StoredBytes, Math.Round(t.BitsPerWeight, 4)))]);
    }

    private sealed record InspectCompressedTensor(string Name, IReadOnlyList<long> Shape, string Encoding, long Parameters, long NonZero,
        long StoredBytes, double BitsPerWeight);
}
