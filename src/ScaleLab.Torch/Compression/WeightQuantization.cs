using ScaleLab.Core;

namespace ScaleLab.Torch.Compression;

/// <summary>Post-training weight quantization: 8-bit per channel (or tensor), or 4-bit in groups.</summary>
public enum WeightQuantization { Int8, Int4 }

/// <summary>The one name map of <see cref="WeightQuantization"/> ("int8", "int4"), for options, labels and JSON.</summary>
public static class WeightQuantizationInfo
{
    public static string Name(this WeightQuantization q) => q == WeightQuantization.Int4 ? "int4" : "int8";

    public static int Bits(this WeightQuantization q) => q == WeightQuantization.Int4 ? 4 : 8;

    public static WeightQuantization Parse(string text, string field) => text switch
    {
        "int8" => WeightQuantization.Int8,
        "int4" => WeightQuantization.Int4,
        _ => throw new ScaleLabException($"{field}: '{text}' is not a weight quantization; expected int8 or int4"),
    };
}
