namespace ScaleLab.Core.NumberFormats;

/// <summary>
/// How a weight matrix is stored: rows of <see cref="BlockElements"/> consecutive weights along the input dimension,
/// each block <see cref="BlockBits"/> bits with its scales; optionally a 2-D tile grid of scales, bits per input feature
/// (GPTQ's g_idx) and bytes per tensor (a per-tensor fp32 scale). Plain formats are blocks of one element.
/// </summary>
/// <param name="Name">What --precision calls it, e.g. "q4_k", "mxfp4", "awq-g128".</param>
/// <param name="Layout">The block as its definition writes it, e.g. "fp16 d + 16 B of 4-bit quants per 32 weights".</param>
/// <param name="Source">Where the layout is defined.</param>
public sealed record BlockFormat(
    string Name,
    int BlockElements,
    int BlockBits,
    string Layout,
    string Source,
    int TensorBytes = 0,
    int InputFeatureBits = 0,
    int Tile = 0,
    int TileScaleBits = 0)
{
    /// <summary>Bits per weight of a matrix that fills its blocks, per-tensor extras left out: the figure definitions quote.</summary>
    public double BitsPerWeight => ((double)BlockBits / BlockElements) + (Tile > 0 ? (double)TileScaleBits / ((long)Tile * Tile) : 0);

    /// <summary>Bytes of a weight (out × in), blocked along the input dimension: a row that does not fill its last block pays for it whole.</summary>
    public long Bytes(long inFeatures, long outFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        long blocksPerRow = (inFeatures + BlockElements - 1) / BlockElements;
        long bits = checked(outFeatures * blocksPerRow * BlockBits);
        if (Tile > 0) bits = checked(bits + (((inFeatures + Tile - 1) / Tile) * ((outFeatures + Tile - 1) / Tile) * TileScaleBits));
        bits = checked(bits + (inFeatures * InputFeatureBits));
        return checked(((bits + 7) / 8) + TensorBytes);
    }
}
