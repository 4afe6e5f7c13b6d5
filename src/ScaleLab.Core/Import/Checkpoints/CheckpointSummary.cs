using System.Text.Json.Serialization;

namespace ScaleLab.Core.Import.Checkpoints;

/// <summary>
/// What a weights file holds, from its headers alone: every tensor, totals by dtype, metadata, the architecture keys
/// (GGUF) and, when tensor names reveal it, a per-layer breakdown. Raw counts and bytes; units only when printed.
/// Parameters counts elements of every stored tensor (buffers included); TensorBytes is their stored size. A compressed
/// file stores masks, scales and packed integers instead of weights: <see cref="Compressed"/> then counts the model.
/// </summary>
public sealed record CheckpointSummary(
    string Path,
    string Format,
    int Files,
    long FileBytes,
    long Parameters,
    long TensorBytes,
    IReadOnlyList<CheckpointTensor> Tensors,
    IReadOnlyList<DTypeTotal> ByDType,
    IReadOnlyList<LayerGroup> Layers,
    IReadOnlyList<KeyValuePair<string, string>> Architecture,
    IReadOnlyList<KeyValuePair<string, string>> Metadata)
{
    /// <summary>For a compressed model file (ScaleLab's compressed/1 or compressed-tensors): its logical tensors.</summary>
    public CompressedContents? Compressed { get; init; }

    /// <summary>The model's parameters: the logical tensors' elements for a compressed file, else every stored element.</summary>
    public long ModelParameters => Compressed?.Parameters ?? Parameters;
}

/// <summary>One tensor: dtype as the format names it ("BF16", "Q4_K"), shape row-major (outermost first); also an element of `inspect --json`'s tensors.</summary>
public sealed record CheckpointTensor(string Name, [property: JsonPropertyName("dtype")] string DType, IReadOnlyList<long> Shape, long Parameters, long Bytes);

/// <summary>All tensors of one dtype.</summary>
public sealed record DTypeTotal([property: JsonPropertyName("dtype")] string DType, int Tensors, long Parameters, long Bytes);

/// <summary>
/// A group of tensors by role: Kind is Embeddings, Layer (with its Index), FinalNorm, Head or Other.
/// Name is what a person reads: "embeddings", "layer 3", "final norm", "head", "other".
/// </summary>
public sealed record LayerGroup(LayerKind Kind, int? Index, string Name, int Tensors, long Parameters, long Bytes);

public enum LayerKind { Embeddings, Layer, FinalNorm, Head, Other }

public static class LayerKindInfo
{
    /// <summary>The name in `inspect --json` (layers[].kind): embeddings, layer, final_norm, head, other.</summary>
    public static string Name(this LayerKind kind) => kind switch
    {
        LayerKind.Embeddings => "embeddings",
        LayerKind.Layer => "layer",
        LayerKind.FinalNorm => "final_norm",
        LayerKind.Head => "head",
        LayerKind.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
