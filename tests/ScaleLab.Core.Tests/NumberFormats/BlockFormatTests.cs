using ScaleLab.Core.NumberFormats;

namespace ScaleLab.Core.Tests.NumberFormats;

/// <summary>
/// Bits per weight from each format's block layout, pinned one by one against its definition:
/// ggml's block structs (ggml/src/ggml-common.h, llama.cpp; QK_K = 256, ggml_half = 2 bytes), the OCP Microscaling
/// spec v1.0 (MXFP4: 32 E2M1 elements + an E8M0 scale), NVIDIA's NVFP4 (16 E2M1 + an E4M3 scale, fp32 per tensor),
/// FP8 (OCP OFP8; one byte each), AutoAWQ's and AutoGPTQ's buffers (4-bit weights, per group one 4-bit zero and an
/// fp16 scale; GPTQ adds an int32 g_idx per input feature), and DeepSeek-V3's 128 × 128 fp8 block scales.
/// </summary>
public class BlockFormatTests
{
    [Theory]
    [InlineData("q8_0", 8.5)]        // ggml_half d + int8 qs[32]: 34 B / 32
    [InlineData("q4_0", 4.5)]        // ggml_half d + qs[16]: 18 B / 32
    [InlineData("q4_1", 5.0)]        // d, m + qs[16]: 20 B / 32
    [InlineData("q5_0", 5.5)]        // d + qh[4] + qs[16]: 22 B / 32
    [InlineData("q5_1", 6.0)]        // d, m + qh[4] + qs[16]: 24 B / 32
    [InlineData("q2_k", 2.625)]      // scales[16] + qs[64] + d, dmin: 84 B / 256
    [InlineData("q3_k", 3.4375)]     // hmask[32] + qs[64] + scales[12] + d: 110 B / 256
    [InlineData("q4_k", 4.5)]        // d, dmin + scales[12] + qs[128]: 144 B / 256
    [InlineData("q5_k", 5.5)]        // d, dmin + scales[12] + qh[32] + qs[128]: 176 B / 256
    [InlineData("q6_k", 6.5625)]     // ql[128] + qh[64] + scales[16] + d: 210 B / 256
    [InlineData("iq1_s", 1.5625)]    // 50 B / 256
    [InlineData("iq1_m", 1.75)]      // 56 B / 256
    [InlineData("iq2_xxs", 2.0625)]  // 66 B / 256
    [InlineData("iq2_xs", 2.3125)]   // 74 B / 256
    [InlineData("iq2_s", 2.5625)]    // 82 B / 256
    [InlineData("iq3_xxs", 3.0625)]  // 98 B / 256
    [InlineData("iq3_s", 3.4375)]    // 110 B / 256
    [InlineData("iq4_nl", 4.5)]      // d + qs[16]: 18 B / 32
    [InlineData("iq4_xs", 4.25)]     // d + scales_h + scales_l[4] + qs[128]: 136 B / 256
    [InlineData("mxfp4", 4.25)]      // (32 × 4 + 8) / 32
    [InlineData("nvfp4", 4.5)]       // (16 × 4 + 8) / 16, + 32 bits per tensor
    [InlineData("fp8-e4m3", 8.0)]    // + one fp32 per tensor
    [InlineData("fp8-e5m2", 8.0)]
    [InlineData("fp8-block", 8.001953125)]   // 8 + 32 / (128 × 128)
    [InlineData("awq-g128", 4.15625)]        // 4 + 4/128 + 16/128
    [InlineData("gptq-g128", 4.15625)]       // the same per group, + g_idx per input feature
    [InlineData("bf16", 16.0)]
    public void BitsPerWeight_FollowsFromTheBlockLayout(string name, double bits) =>
        Assert.Equal(bits, BlockFormats.All.Single(f => f.Name == name).BitsPerWeight);

    [Fact]
    public void Awq_Group64_Is4Point3125Bits() => Assert.Equal(4 + (20.0 / 64), BlockFormats.Awq(64).BitsPerWeight);

    [Fact]
    public void Bytes_ChargeWholeBlocksPerRow_AndPerTensorExtras()
    {
        Assert.Equal(4096L * 128 * 144, BlockFormats.Q4K.Bytes(32_768, 4096));                  // 128 super-blocks per row
        Assert.Equal(4096L * 2 * 144, BlockFormats.Q4K.Bytes(300, 4096));                       // 300 wide: 2 blocks per row
        Assert.Equal((4096L * 4096 * 9 / 16) + 4, BlockFormats.Nvfp4.Bytes(4096, 4096));       // + fp32 tensor scale
        Assert.Equal((4096L * 4096) + (32 * 32 * 4), BlockFormats.Fp8Block.Bytes(4096, 4096));  // 32 × 32 tiles of 128²
        Assert.Equal((4096L * 4096 * 532 / 128 / 8) + (4096 * 4), BlockFormats.Gptq(128).Bytes(4096, 4096));   // + int32 g_idx
    }

    [Theory]
    [InlineData("fp8", 8.0)]          // vLLM E4M3, per-layer scales
    [InlineData("int8", 8.25)]        // LMDeploy: scale + zero (2 × 16 bits) per head of 128
    [InlineData("int4", 4.25)]
    [InlineData("q8_0", 8.5)]         // llama.cpp --cache-type-k q8_0
    [InlineData("q4_0", 4.5)]
    public void KvFormat_BitsPerValue_At128WideHeads(string name, double bits) =>
        Assert.Equal(bits, KvFormats.Find(name)!.BitsPerValue(128));

    [Fact]
    public void UseMoreBits_For32Layers_PicksHalfOfThem()
    {
        // llama-quant.cpp: i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2 → 0-3, 6, 9, …, 27, 28-31.
        var layers = Enumerable.Range(0, 32).Where(i => LlamaCppRecipe.UseMoreBits(i, 32)).ToArray();
        Assert.Equal([0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31], layers);
    }
}
