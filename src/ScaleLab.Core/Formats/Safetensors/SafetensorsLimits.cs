namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// Limits that keep a hostile file from making us allocate or loop without bound. Mirrors the reference
/// implementation (huggingface/safetensors, safetensors/src/tensor.rs, MAX_HEADER_SIZE).
/// </summary>
public static class SafetensorsLimits
{
    /// <summary>Largest JSON header we read: 100,000,000 bytes, the reference's MAX_HEADER_SIZE.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Deepest JSON nesting accepted. A valid header needs 3 (root → tensor → shape); the rest is slack.</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>The header is padded with spaces so tensor data starts on a multiple of this (the reference's alignment).</summary>
    public const int Alignment = 8;

    /// <summary>Bytes of the little-endian u64 header length that opens every file.</summary>
    public const int LengthPrefixBytes = 8;

    /// <summary>Largest model.safetensors.index.json we read. Real ones are a few hundred KiB (one line per tensor).</summary>
    public const long MaxIndexBytes = 64L * 1024 * 1024;

    /// <summary>Most shard files one index may name; the largest public checkpoints use a few hundred.</summary>
    public const int MaxShards = 10_000;

    /// <summary>
    /// Most header bytes read across all the shards of one index: 256 MiB. DeepSeek-V3's 163 shards hold about 10 MB of
    /// headers; without this bound 10,000 shards of 100 MB headers would keep a reader busy for an hour.
    /// </summary>
    public const long MaxTotalHeaderBytes = 256L * 1024 * 1024;
}
