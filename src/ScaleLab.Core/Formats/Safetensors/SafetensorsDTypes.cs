namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// The dtype strings the safetensors format defines and their size in bits
/// (huggingface/safetensors, safetensors/src/tensor.rs, enum Dtype and Dtype::bitsize).
/// Sizes are in bits because F4 and F6 pack several elements per byte.
/// </summary>
public static class SafetensorsDTypes
{
    private static readonly Dictionary<string, int> BitsByName = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 8,
        ["F4"] = 4,
        ["F6_E2M3"] = 6,
        ["F6_E3M2"] = 6,
        ["U8"] = 8,
        ["I8"] = 8,
        ["F8_E5M2"] = 8,
        ["F8_E4M3"] = 8,
        ["F8_E8M0"] = 8,
        ["I16"] = 16,
        ["U16"] = 16,
        ["F16"] = 16,
        ["BF16"] = 16,
        ["I32"] = 32,
        ["U32"] = 32,
        ["F32"] = 32,
        ["C64"] = 64,
        ["F64"] = 64,
        ["I64"] = 64,
        ["U64"] = 64,
    };

    /// <summary>Every known dtype, in the order error messages list them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. BitsByName.Keys];

    /// <summary>Bits per element, or null for a dtype the format does not define. Case-sensitive, like the reference.</summary>
    public static int? BitsOf(string dtype) => BitsByName.TryGetValue(dtype, out int bits) ? bits : null;

    /// <summary>Bytes for <paramref name="elements"/> elements; null when the bits do not fill whole bytes. Throws OverflowException.</summary>
    public static long? ByteCount(int bitsPerElement, long elements)
    {
        long bits = checked(elements * bitsPerElement);
        return bits % 8 == 0 ? bits / 8 : null;
    }
}
