namespace ScaleLab.Core.Formats.Gguf;

/// <summary>
/// Limits that keep a hostile GGUF file from making us allocate or loop without bound. Every count is also checked
/// against the bytes left in the file before anything is allocated for it, so memory stays O(file header).
/// The values are generous for real files: Llama-3-405B has 1,138 tensors; the largest vocabularies ~256 K tokens.
/// </summary>
public static class GgufLimits
{
    /// <summary>Most tensors one file may declare.</summary>
    public const long MaxTensors = 1_000_000;

    /// <summary>Most metadata key/value pairs one file may declare.</summary>
    public const long MaxMetadataEntries = 100_000;

    /// <summary>Longest string (key, value or tensor name) in bytes; chat templates run to tens of KiB.</summary>
    public const long MaxStringBytes = 16L * 1024 * 1024;

    /// <summary>Longest metadata array (tokenizer vocabularies and merges are the big ones).</summary>
    public const long MaxArrayLength = 16L * 1024 * 1024;

    /// <summary>Deepest nesting of arrays inside arrays.</summary>
    public const int MaxArrayDepth = 4;

    /// <summary>Most dimensions of one tensor: GGML_MAX_DIMS in ggml/include/ggml.h.</summary>
    public const int MaxDimensions = 4;

    /// <summary>Array elements kept in memory per metadata array; the rest are read, checked and skipped.</summary>
    public const int MaxRetainedArrayElements = 1024;

    /// <summary>Data alignment when general.alignment is absent: GGUF_DEFAULT_ALIGNMENT in the GGUF spec.</summary>
    public const uint DefaultAlignment = 32;
}
