namespace ScaleLab.Core.FineTuning;

/// <summary>
/// Bytes of a weight matrix stored as QLoRA stores it (Dettmers et al. 2023, "QLoRA: Efficient Finetuning of Quantized
/// LLMs", §2–3; bitsandbytes functional.quantize_4bit with quant_type="nf4", compress_statistics=True): 4-bit NF4 codes
/// packed two a byte; one absmax per 64-element block, itself quantized to 8 bits ("double quantization", §3) in blocks of
/// 256 with one fp32 scale each. Per weight: 4 + 8/64 + 32/(64·256) = 4.127 bits (the paper's §3: 32/64 = 0.5 bits of
/// fp32 scales become 8/64 + 32/(64·256) = 0.127). Per tensor bitsandbytes also keeps the 16-entry NF4 code, the 256-entry
/// second-level code and one fp32 offset, about 1 KB: left out.
/// </summary>
public static class Nf4Storage
{
    public const int BlockSize = 64;
    public const int ScaleBlockSize = 256;

    /// <summary>Bits per weight for a tensor that fills its blocks: 4 + 8/64 + 32/(64·256).</summary>
    public const double BitsPerWeight = 4 + (8.0 / BlockSize) + (32.0 / (BlockSize * ScaleBlockSize));

    /// <summary>Bytes of one tensor of <paramref name="elements"/> weights: codes, 8-bit block absmax, fp32 second-level scales.</summary>
    public static long Bytes(long elements)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elements);
        long blocks = CeilDiv(elements, BlockSize);
        return checked(CeilDiv(elements, 2) + blocks + (4 * CeilDiv(blocks, ScaleBlockSize)));
    }

    private static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;
}
