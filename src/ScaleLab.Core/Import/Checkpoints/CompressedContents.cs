namespace ScaleLab.Core.Import.Checkpoints;

/// <summary>
/// What a compressed model file holds in the model's own terms: logical tensors (the weight matrix, not its mask and
/// values), how each is encoded, how many of its values are non-zero and what it costs on disk.
/// Parameters count the logical tensors' elements; a stored part (a mask, a scale) is never a parameter.
/// </summary>
/// <param name="Layout">"scalelab compressed/1" or "compressed-tensors 0.14 (naive-quantized, sparse-bitmask)".</param>
public sealed record CompressedContents(string Layout, long Parameters, long NonZero, IReadOnlyList<CompressedTensorContents> Tensors);

/// <summary>
/// One logical tensor. Encoding says exactly what is stored ("int8 per-channel symmetric", "int4 group 64
/// asymmetric", "sparse bitmask + fp32 values"); StoredBytes sums every part (values, scales, zero-points, masks).
/// </summary>
public sealed record CompressedTensorContents(string Name, IReadOnlyList<long> Shape, string Encoding, long Parameters, long NonZero, long StoredBytes)
{
    /// <summary>Stored bits per logical value: 32 for fp32, 8 + scales for int8, 4.5 for int4 with fp32 scales per 64.</summary>
    public double BitsPerWeight => Parameters == 0 ? 0 : 8.0 * StoredBytes / Parameters;
}
