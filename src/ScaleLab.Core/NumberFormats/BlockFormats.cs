namespace ScaleLab.Core.NumberFormats;

/// <summary>
/// The storage formats ScaleLab knows, each with its block layout and where it is defined. Bits per weight follow from
/// the layout: 8 × block bytes / block elements.
/// GGUF types are ggml's block structs (ggml/src/ggml-common.h, ggml-org/llama.cpp): QK_K = 256-weight super-blocks,
/// ggml_half = 2 bytes.
/// </summary>
public static class BlockFormats
{
    private const string Ggml = "ggml/src/ggml-common.h (llama.cpp)";

    public static BlockFormat F32 { get; } = new("f32", 1, 32, "IEEE binary32", "IEEE 754");
    public static BlockFormat F16 { get; } = new("f16", 1, 16, "IEEE binary16", "IEEE 754");
    public static BlockFormat Bf16 { get; } = new("bf16", 1, 16, "bfloat16: 8 exponent, 7 mantissa bits", "Google bfloat16; Kalamkar et al. 2019");

    // FP8 (Micikevicius et al. 2022, "FP8 Formats for Deep Learning"; OCP 8-bit Floating Point Specification (OFP8) v1.0):
    // E4M3 and E5M2 store one byte per weight. Scaling: per tensor, one fp32 scale (Transformer Engine's delayed/current
    // scaling, vLLM's weight_scale), or per 128 × 128 block of weights (DeepSeek-V3 report, §3.3.2 "Fine-Grained
    // Quantization": one fp32 scale per 128 × 128 weight block, stored as weight_scale_inv).
    public static BlockFormat Fp8E4M3 { get; } = new("fp8-e4m3", 1, 8, "1 byte E4M3 per weight + one fp32 scale per tensor", "Micikevicius et al. 2022; OCP OFP8 v1.0", TensorBytes: 4);
    public static BlockFormat Fp8E5M2 { get; } = new("fp8-e5m2", 1, 8, "1 byte E5M2 per weight + one fp32 scale per tensor", "Micikevicius et al. 2022; OCP OFP8 v1.0", TensorBytes: 4);
    public static BlockFormat Fp8Block { get; } = new("fp8-block", 1, 8, "1 byte E4M3 per weight + one fp32 scale per 128 × 128 block", "DeepSeek-V3 technical report §3.3.2", Tile: 128, TileScaleBits: 32);

    // OCP Microscaling Formats (MX) Specification v1.0 (2023), §5 and Table 1: MXFP4 = blocks of k = 32 FP4 (E2M1) elements
    // sharing one 8-bit E8M0 scale: (32 × 4 + 8) / 32 = 4.25 bits. ggml's block_mxfp4: uint8 e + 16 bytes of quants.
    public static BlockFormat Mxfp4 { get; } = new("mxfp4", 32, 136, "32 FP4 (E2M1) elements + one E8M0 scale", "OCP Microscaling Formats (MX) Specification v1.0, Table 1; ggml block_mxfp4");

    // NVFP4 (NVIDIA Blackwell; NVIDIA technical blog "Introducing NVFP4 for Efficient and Accurate Low-Precision
    // Inference", 2025): 16 FP4 (E2M1) elements share one FP8 E4M3 scale, plus one fp32 scale per tensor:
    // (16 × 4 + 8) / 16 = 4.5 bits. ggml's block_nvfp4 holds the same: 4 UE4M3 scales per 64 weights.
    public static BlockFormat Nvfp4 { get; } = new("nvfp4", 16, 72, "16 FP4 (E2M1) elements + one E4M3 scale; one fp32 scale per tensor", "NVIDIA, Introducing NVFP4 (2025); ggml block_nvfp4", TensorBytes: 4);

    public static BlockFormat Q40 { get; } = new("q4_0", 32, 18 * 8, "block_q4_0: ggml_half d + qs[16] (32 × 4-bit)", Ggml);
    public static BlockFormat Q41 { get; } = new("q4_1", 32, 20 * 8, "block_q4_1: ggml_half d, m + qs[16]", Ggml);
    public static BlockFormat Q50 { get; } = new("q5_0", 32, 22 * 8, "block_q5_0: ggml_half d + qh[4] + qs[16]", Ggml);
    public static BlockFormat Q51 { get; } = new("q5_1", 32, 24 * 8, "block_q5_1: ggml_half d, m + qh[4] + qs[16]", Ggml);
    public static BlockFormat Q80 { get; } = new("q8_0", 32, 34 * 8, "block_q8_0: ggml_half d + int8 qs[32]", Ggml);
    public static BlockFormat Q2K { get; } = new("q2_k", 256, 84 * 8, "block_q2_K: scales[16] + qs[64] + ggml_half d, dmin", Ggml);
    public static BlockFormat Q3K { get; } = new("q3_k", 256, 110 * 8, "block_q3_K: hmask[32] + qs[64] + scales[12] + ggml_half d", Ggml);
    public static BlockFormat Q4K { get; } = new("q4_k", 256, 144 * 8, "block_q4_K: ggml_half d, dmin + scales[12] + qs[128]", Ggml);
    public static BlockFormat Q5K { get; } = new("q5_k", 256, 176 * 8, "block_q5_K: ggml_half d, dmin + scales[12] + qh[32] + qs[128]", Ggml);
    public static BlockFormat Q6K { get; } = new("q6_k", 256, 210 * 8, "block_q6_K: ql[128] + qh[64] + int8 scales[16] + ggml_half d", Ggml);
    public static BlockFormat Iq1S { get; } = new("iq1_s", 256, 50 * 8, "block_iq1_s: ggml_half d + qs[32] + uint16 qh[8]", Ggml);
    public static BlockFormat Iq1M { get; } = new("iq1_m", 256, 56 * 8, "block_iq1_m: qs[32] + qh[16] + scales[8]", Ggml);
    public static BlockFormat Iq2Xxs { get; } = new("iq2_xxs", 256, 66 * 8, "block_iq2_xxs: ggml_half d + uint16 qs[32]", Ggml);
    public static BlockFormat Iq2Xs { get; } = new("iq2_xs", 256, 74 * 8, "block_iq2_xs: ggml_half d + uint16 qs[32] + scales[8]", Ggml);
    public static BlockFormat Iq2S { get; } = new("iq2_s", 256, 82 * 8, "block_iq2_s: ggml_half d + qs[64] + qh[8] + scales[8]", Ggml);
    public static BlockFormat Iq3Xxs { get; } = new("iq3_xxs", 256, 98 * 8, "block_iq3_xxs: ggml_half d + qs[96]", Ggml);
    public static BlockFormat Iq3S { get; } = new("iq3_s", 256, 110 * 8, "block_iq3_s: ggml_half d + qs[64] + qh[8] + signs[32] + scales[4]", Ggml);
    public static BlockFormat Iq4Nl { get; } = new("iq4_nl", 32, 18 * 8, "block_iq4_nl: ggml_half d + qs[16]", Ggml);
    public static BlockFormat Iq4Xs { get; } = new("iq4_xs", 256, 136 * 8, "block_iq4_xs: ggml_half d + uint16 scales_h + scales_l[4] + qs[128]", Ggml);

    /// <summary>
    /// AWQ (Lin et al. 2024; AutoAWQ's WQLinear_GEMM) stores per linear layer qweight (in, out/8) int32 — 4 bits per
    /// weight — qzeros (in/g, out/8) int32 — one 4-bit zero point per group of g input weights and output column — and
    /// scales (in/g, out) fp16: 4 + 4/g + 16/g bits per weight, 4.15625 at g = 128.
    /// </summary>
    public static BlockFormat Awq(int groupSize) => new($"awq-g{groupSize}", groupSize, (groupSize * 4) + 4 + 16,
        $"4-bit weights; per {groupSize} input weights and output column one 4-bit zero and one fp16 scale", "AutoAWQ WQLinear_GEMM (qweight, qzeros, scales)");

    /// <summary>
    /// GPTQ (Frantar et al. 2023; AutoGPTQ/GPTQModel QuantLinear) stores qweight (in/8, out) int32, qzeros
    /// (⌈in/g⌉, out/8) int32, scales (⌈in/g⌉, out) fp16 and g_idx (in) int32: 4 + 4/g + 16/g bits per weight plus
    /// 32 bits per input feature (32/out per weight: 0.008 at out = 4096).
    /// </summary>
    public static BlockFormat Gptq(int groupSize) => new($"gptq-g{groupSize}", groupSize, (groupSize * 4) + 4 + 16,
        $"4-bit weights; per {groupSize} input weights and output column one 4-bit zero and one fp16 scale; int32 g_idx per input feature",
        "AutoGPTQ/GPTQModel QuantLinear (qweight, qzeros, scales, g_idx)", InputFeatureBits: 32);

    public static IReadOnlyList<BlockFormat> All { get; } =
    [
        F32, F16, Bf16, Fp8E4M3, Fp8E5M2, Fp8Block, Mxfp4, Nvfp4,
        Q40, Q41, Q50, Q51, Q80, Q2K, Q3K, Q4K, Q5K, Q6K,
        Iq1S, Iq1M, Iq2Xxs, Iq2Xs, Iq2S, Iq3Xxs, Iq3S, Iq4Nl, Iq4Xs,
        Awq(128), Gptq(128),
    ];
}
