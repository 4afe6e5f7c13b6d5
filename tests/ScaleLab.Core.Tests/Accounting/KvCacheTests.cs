using ScaleLab.Core.Accounting;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Accounting;

/// <summary>
/// KV cache per token and per sequence, family by family, against the hand formula: K and V of kv_heads·head_dim per
/// layer (Pope et al. 2022); MLA's latent kv_lora_rank + qk_rope_head_dim (DeepSeek-V2 §2.1.2, Table 1: 576 for V2/V3);
/// sliding-window layers capped at the window, chunked layers at the chunk.
/// </summary>
public class KvCacheTests
{
    private static KvCacheEstimate Kv(string preset, long context) => KvCache.For(ModelPresets.Load(preset).Transformer!, context);

    [Fact]
    public void KvCache_Qwen3_8b_IsKAndVOfEightHeadsPerLayer() =>
        Assert.Equal(36L * 2 * 8 * 128 * 32_768, Kv("qwen3-8b", 32_768).ElementsPerSequence);

    [Fact]
    public void KvCache_Qwen3Moe_IsKAndVOfFourHeadsPerLayer() =>
        Assert.Equal(48L * 2 * 4 * 128, Kv("qwen3-30b-a3b", 10).ElementsPerToken);

    [Fact]
    public void KvCache_DeepSeekV3_CachesTheLatentAndTheSharedRotaryKey()
    {
        var kv = Kv("deepseek-v3", 4096);
        Assert.Equal(61L * (512 + 64), kv.ElementsPerToken);
        // Against 61 · 2 · 128 heads · 128 for the same heads without MLA: 56.9× smaller.
        Assert.Equal(56.9, Math.Round(61.0 * 2 * 128 * 128 / kv.ElementsPerToken, 1));
    }

    [Fact]
    public void KvCache_DeepSeekV2Lite_CachesTheLatent() =>
        Assert.Equal(27L * 576 * 1000, Kv("deepseek-v2-lite", 1000).ElementsPerSequence);

    [Fact]
    public void KvCache_Gemma2_SlidingLayersStopAtTheWindow()
    {
        // 21 global layers hold all 8192 tokens, 21 sliding layers 4096; 2 · 8 kv heads · 256 per token and layer.
        long perToken = 2L * 8 * 256;
        Assert.Equal((21 * perToken * 8192) + (21 * perToken * 4096), Kv("gemma-2-9b", 8192).ElementsPerSequence);
        // Below the window every layer holds the whole context.
        Assert.Equal(42 * perToken * 1000, Kv("gemma-2-9b", 1000).ElementsPerSequence);
    }

    [Fact]
    public void KvCache_Gemma3_FourGlobalLayersOf26()
    {
        var kv = Kv("gemma-3-1b", 32_768);
        long perToken = 2L * 1 * 256;
        Assert.Equal((4 * perToken * 32_768) + (22 * perToken * 512), kv.ElementsPerSequence);
    }

    [Fact]
    public void KvCache_GptOss20b_HalfTheLayersHold128Tokens()
    {
        // hf-mem#70: counting every layer at the full context over-states gpt-oss's cache at 8k by about 2×.
        long perToken = 2L * 8 * 64;
        var kv = Kv("gpt-oss-20b", 8192);
        Assert.Equal((12 * perToken * 8192) + (12 * perToken * 128), kv.ElementsPerSequence);
        var full = KvCache.ForFullContext(ModelPresets.Load("gpt-oss-20b").Transformer!, 8192);
        Assert.Equal(24 * perToken * 8192, full.ElementsPerSequence);
    }

    [Fact]
    public void KvCache_Llama4Scout_ChunkedLayersHoldOneChunk()
    {
        long perToken = 2L * 8 * 128;
        Assert.Equal((12 * perToken * 131_072) + (36 * perToken * 8192), Kv("llama-4-scout-17b-16e", 131_072).ElementsPerSequence);
    }

    [Fact]
    public void KvCache_Olmo2_IsFullMultiHead() =>
        Assert.Equal(32L * 2 * 32 * 128, Kv("olmo-2-7b", 1).ElementsPerToken);

    [Fact]
    public void KvCache_Encoder_HasNone() =>
        Assert.Empty(KvCache.For(ModelPresets.Load("bert-base-uncased").Transformer!, 512).Groups);

    [Theory]
    [InlineData(100L, 5050L)]          // inside the window: the causal triangle S(S+1)/2
    [InlineData(200L, 8256L + 9216L)]  // W(W+1)/2 + (S−W)·W with W = 128
    public void AttendedPairs_SlidingWindow_IsTheBand(long s, long pairs)
    {
        var t = new TransformerSpec { Layers = 1, Local = new LocalAttention(LocalAttentionKind.Sliding, 128, LayerSet.Of([0])) };
        Assert.Equal(pairs, TransformerAccounting.AttendedPairs(t, 0, s));
    }

    [Fact]
    public void AttendedPairs_Chunked_IsOneTrianglePerChunk()
    {
        var t = new TransformerSpec { Layers = 1, Local = new LocalAttention(LocalAttentionKind.Chunked, 4, LayerSet.Of([0])) };
        Assert.Equal((2 * 10) + 3, TransformerAccounting.AttendedPairs(t, 0, 10));   // chunks of 4, 4 and 2 tokens
    }

    [Fact]
    public void Accounting_GptOss_CausalAttentionFlopsFollowTheWindow()
    {
        // At 4096 tokens, sliding layers attend W(W+1)/2 + (S−W)·W pairs, global ones S(S+1)/2; 64 heads · (64 + 64) MACs a pair.
        var cost = ModelAccounting.Account(ModelPresets.Load("gpt-oss-20b"), 4096);
        long s = 4096, w = 128, perPair = 64L * 128;
        long expected = 12 * perPair * ((s * (s + 1) / 2) + (w * (w + 1) / 2) + ((s - w) * w));
        Assert.Equal(expected, cost.CausalAttentionMacs);
        Assert.Equal(24 * perPair * s * s, cost.AttentionMacs);
    }
}

public class Mxfp4StorageTests
{
    [Fact]
    public void GptOss20b_WithMxfp4Experts_IsTheSizeOfItsCheckpoint()
    {
        // 24 layers × 32 experts × (gate_up 2·2880·2880 + down 2880·2880) weights at 17 bytes per 32, the other
        // 1,804,459,584 parameters in bf16: 13,761,264,768 bytes (the published checkpoint is 13.8 GB).
        var cost = ModelAccounting.Account(ModelPresets.Load("gpt-oss-20b"), 1);
        var mxfp4 = MemoryEstimator.Mxfp4ExpertsDiskBytes(cost)!;
        Assert.Equal(24L * 32 * 3 * 2880 * 2880, mxfp4.ExpertWeights);
        Assert.Equal((mxfp4.ExpertWeights / 32 * 17) + (2 * (20_914_757_184 - mxfp4.ExpertWeights)), mxfp4.Bytes);
        Assert.Equal(13.76, Math.Round(mxfp4.Bytes / 1e9, 2));
    }

    [Fact]
    public void DenseModel_HasNoMxfp4ExpertFigure() =>
        Assert.Null(MemoryEstimator.Mxfp4ExpertsDiskBytes(ModelAccounting.Account(ModelPresets.Load("qwen3-8b"), 1)));
}

public class DecodeAttentionTests
{
    [Fact]
    public void DecodeAttention_GptOss_SlidingLayersSeeTheirWindowOnly()
    {
        // 12 global layers see 8192 keys, 12 sliding ones 128; 64 heads × (64 + 64) MACs per key.
        var t = ModelPresets.Load("gpt-oss-20b").Transformer!;
        Assert.Equal(64.0 * 128 * ((12 * 8192) + (12 * 128)), ScaleLab.Core.Planning.ServingPlanner.DecodeAttentionMacs(t, 8192));
    }

    [Fact]
    public void DecodeAttention_DenseModel_IsTwoLayersHeadsHeadDimContext()
    {
        var t = ModelPresets.Load("llama-2-7b").Transformer!;
        Assert.Equal(2.0 * 32 * 32 * 128 * 4096, ScaleLab.Core.Planning.ServingPlanner.DecodeAttentionMacs(t, 4096));
    }
}

public class PrefillAttentionTests
{
    [Fact]
    public void PrefillAttention_GptOss_SlidingLayersAttendTheBand()
    {
        // 12 global layers: P(P+1)/2 pairs; 12 sliding: W(W+1)/2 + (P−W)·W; 64 heads × (64 + 64) MACs per pair.
        var t = ModelPresets.Load("gpt-oss-20b").Transformer!;
        long p = 4096, w = 128;
        double pairs = (12.0 * p * (p + 1) / 2) + (12.0 * ((w * (w + 1) / 2) + ((p - w) * w)));
        Assert.Equal(64.0 * 128 * pairs, ScaleLab.Core.Planning.ServingPlanner.PrefillAttentionMacs(t, p));
    }

    [Fact]
    public void PrefillAttention_DeepSeekV3_CountsTheExpandedHeads()
    {
        // MLA before absorption: 128 heads × (192 + 128) MACs per pair, 61 causal layers.
        var t = ModelPresets.Load("deepseek-v3").Transformer!;
        Assert.Equal(128.0 * 320 * 61 * (1000.0 * 1001 / 2), ScaleLab.Core.Planning.ServingPlanner.PrefillAttentionMacs(t, 1000));
    }
}
