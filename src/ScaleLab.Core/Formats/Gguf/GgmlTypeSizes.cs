namespace ScaleLab.Core.Formats.Gguf;

/// <summary>
/// Bytes per block and elements per block of every ggml type. A tensor of n elements (n a multiple of the block
/// size along ne[0]) takes n / BlockElements × BlockBytes bytes. Block layouts and sizes are the static_asserts in
/// ggml/src/ggml-common.h (QK_K = 256 for the k-quants and most i-quants; ggml_half = 2 bytes).
/// </summary>
public static class GgmlTypeSizes
{
    public readonly record struct BlockSize(int Elements, int Bytes);

    private static readonly Dictionary<GgmlType, BlockSize> Sizes = new()
    {
        [GgmlType.F32] = new(1, 4),
        [GgmlType.F16] = new(1, 2),
        [GgmlType.BF16] = new(1, 2),
        [GgmlType.F64] = new(1, 8),
        [GgmlType.I8] = new(1, 1),
        [GgmlType.I16] = new(1, 2),
        [GgmlType.I32] = new(1, 4),
        [GgmlType.I64] = new(1, 8),
        [GgmlType.Q4_0] = new(32, 18),    // d half + 16 nibble bytes
        [GgmlType.Q4_1] = new(32, 20),    // d, m halves + 16
        [GgmlType.Q5_0] = new(32, 22),    // d + qh[4] + 16
        [GgmlType.Q5_1] = new(32, 24),    // d, m + qh[4] + 16
        [GgmlType.Q8_0] = new(32, 34),    // d + 32 int8
        [GgmlType.Q8_1] = new(32, 36),    // d, s + 32 int8
        [GgmlType.Q2_K] = new(256, 84),   // scales[16] + qs[64] + d, dmin
        [GgmlType.Q3_K] = new(256, 110),  // hmask[32] + qs[64] + scales[12] + d
        [GgmlType.Q4_K] = new(256, 144),  // d, dmin + scales[12] + qs[128]
        [GgmlType.Q5_K] = new(256, 176),  // d, dmin + scales[12] + qh[32] + qs[128]
        [GgmlType.Q6_K] = new(256, 210),  // ql[128] + qh[64] + scales[16] + d
        [GgmlType.Q8_K] = new(256, 292),  // float d + qs[256] + int16 bsums[16]
        [GgmlType.IQ2_XXS] = new(256, 66),  // d + uint16 qs[32]
        [GgmlType.IQ2_XS] = new(256, 74),   // d + uint16 qs[32] + scales[8]
        [GgmlType.IQ2_S] = new(256, 82),    // d + qs[64] + qh[8] + scales[8]
        [GgmlType.IQ3_XXS] = new(256, 98),  // d + qs[96]
        [GgmlType.IQ3_S] = new(256, 110),   // d + qs[64] + qh[8] + signs[32] + scales[4]
        [GgmlType.IQ1_S] = new(256, 50),    // d + qs[32] + uint16 qh[8]
        [GgmlType.IQ1_M] = new(256, 56),    // qs[32] + qh[16] + scales[8]
        [GgmlType.IQ4_NL] = new(32, 18),    // d + qs[16]
        [GgmlType.IQ4_XS] = new(256, 136),  // d + scales_h + scales_l[4] + qs[128]
        [GgmlType.TQ1_0] = new(256, 54),    // qs[48] + qh[4] + d
        [GgmlType.TQ2_0] = new(256, 66),    // qs[64] + d
        [GgmlType.MXFP4] = new(32, 17),     // e8m0 exponent + qs[16]
    };

    /// <summary>Every known type name, for error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Sizes.Keys.Order().Select(t => t.Name())];

    public static bool TryGet(uint type, out GgmlType ggmlType, out BlockSize size)
    {
        ggmlType = (GgmlType)type;
        return Sizes.TryGetValue(ggmlType, out size);
    }

    public static BlockSize Of(GgmlType type) => Sizes[type];
}
