namespace ScaleLab.Core.NumberFormats;

/// <summary>
/// How a KV cache stores K and V: <see cref="ElementBits"/> per value, plus <see cref="GroupBits"/> of scales per group of
/// <see cref="GroupSize"/> values (0: one group per head and token, i.e. head_dim values).
/// </summary>
public sealed record KvFormat(string Name, int ElementBits, int GroupBits, int GroupSize, string Layout, string Source)
{
    /// <summary>Bytes for <paramref name="elements"/> cached values of heads <paramref name="headDim"/> wide.</summary>
    public long Bytes(long elements, long headDim)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elements);
        ArgumentOutOfRangeException.ThrowIfLessThan(headDim, 1);
        long group = GroupSize == 0 ? headDim : GroupSize;
        long groups = (elements + group - 1) / group;
        return checked(((elements * ElementBits) + (groups * GroupBits) + 7) / 8);
    }

    /// <summary>Bits per cached value with heads <paramref name="headDim"/> wide.</summary>
    public double BitsPerValue(long headDim) => ElementBits + ((double)GroupBits / (GroupSize == 0 ? headDim : GroupSize));
}

/// <summary>
/// KV-cache formats of the serving engines. fp8: vLLM's kv_cache_dtype fp8 (E4M3 or E5M2) with one k_scale and
/// v_scale per attention layer (vLLM docs, "Quantized KV Cache": per-tensor scales) — 8 bits per value, the per-layer
/// scales (8 bytes a layer, not per sequence) left out. int8 and int4: LMDeploy's online KV quantization (LMDeploy docs,
/// "INT4/INT8 KV Cache": asymmetric, per head and per token), a scale and a zero point per head and token, counted at
/// 16 bits each (the docs do not state their width): 8 + 32/head_dim and 4 + 32/head_dim bits. q8_0 and q4_0:
/// llama.cpp's --cache-type-k/-v, ggml's block_q8_0 (8.5 bits) and block_q4_0 (4.5 bits).
/// </summary>
public static class KvFormats
{
    public static KvFormat Fp32 { get; } = new("fp32", 32, 0, 1, "fp32", "IEEE 754");
    public static KvFormat Fp16 { get; } = new("fp16", 16, 0, 1, "fp16", "IEEE 754");
    public static KvFormat Bf16 { get; } = new("bf16", 16, 0, 1, "bf16", "bfloat16");
    public static KvFormat Fp8E4M3 { get; } = new("fp8-e4m3", 8, 0, 1, "1 byte E4M3, per-layer k/v scales", "vLLM docs, Quantized KV Cache");
    public static KvFormat Fp8E5M2 { get; } = new("fp8-e5m2", 8, 0, 1, "1 byte E5M2, per-layer k/v scales", "vLLM docs, Quantized KV Cache");
    public static KvFormat Int8 { get; } = new("int8", 8, 32, 0, "int8 + fp16 scale and zero per head and token", "LMDeploy docs, INT4/INT8 KV Cache");
    public static KvFormat Int4 { get; } = new("int4", 4, 32, 0, "int4 + fp16 scale and zero per head and token", "LMDeploy docs, INT4/INT8 KV Cache");
    public static KvFormat Q80 { get; } = new("q8_0", 8, 16, 32, "block_q8_0: fp16 d + 32 int8", "ggml-common.h; llama.cpp --cache-type-k q8_0");
    public static KvFormat Q40 { get; } = new("q4_0", 4, 16, 32, "block_q4_0: fp16 d + 32 4-bit", "ggml-common.h; llama.cpp --cache-type-k q4_0");

    public static IReadOnlyList<KvFormat> All { get; } = [Fp32, Fp16, Bf16, Fp8E4M3, Fp8E5M2, Int8, Int4, Q80, Q40];

    /// <summary>A format by name; "fp8" is E4M3, vLLM's default fp8 cache.</summary>
    public static KvFormat? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant() switch
        {
            "fp8" or "fp8_e4m3" => "fp8-e4m3",
            "fp8_e5m2" => "fp8-e5m2",
            "float16" or "half" => "fp16",
            "bfloat16" => "bf16",
            var other => other,
        };
        return All.FirstOrDefault(f => f.Name == key);
    }
}
