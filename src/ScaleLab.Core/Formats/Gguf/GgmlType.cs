namespace ScaleLab.Core.Formats.Gguf;

/// <summary>
/// Tensor types, numbered as in ggml/include/ggml.h (enum ggml_type). Gaps are types ggml removed
/// (Q4_2, Q4_3, the Q4_0_4_4/… and IQ4_NL_4_4/… repacks); files never store them.
/// </summary>
#pragma warning disable CA1707 // ggml's own names (Q4_0, Q2_K, IQ2_XXS): the ones users see in llama.cpp and search for
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
}
#pragma warning restore CA1707

/// <summary>
/// ggml's names of the types (ggml.c type_traits[].type_name, upper-cased as llama.cpp prints them), as `inspect`
/// shows them in text and JSON: one explicit map, so renaming a member never changes the output.
/// </summary>
public static class GgmlTypeInfo
{
    public static string Name(this GgmlType type) => type switch
    {
        GgmlType.F32 => "F32",
        GgmlType.F16 => "F16",
        GgmlType.Q4_0 => "Q4_0",
        GgmlType.Q4_1 => "Q4_1",
        GgmlType.Q5_0 => "Q5_0",
        GgmlType.Q5_1 => "Q5_1",
        GgmlType.Q8_0 => "Q8_0",
        GgmlType.Q8_1 => "Q8_1",
        GgmlType.Q2_K => "Q2_K",
        GgmlType.Q3_K => "Q3_K",
        GgmlType.Q4_K => "Q4_K",
        GgmlType.Q5_K => "Q5_K",
        GgmlType.Q6_K => "Q6_K",
        GgmlType.Q8_K => "Q8_K",
        GgmlType.IQ2_XXS => "IQ2_XXS",
        GgmlType.IQ2_XS => "IQ2_XS",
        GgmlType.IQ3_XXS => "IQ3_XXS",
        GgmlType.IQ1_S => "IQ1_S",
        GgmlType.IQ4_NL => "IQ4_NL",
        GgmlType.IQ3_S => "IQ3_S",
        GgmlType.IQ2_S => "IQ2_S",
        GgmlType.IQ4_XS => "IQ4_XS",
        GgmlType.I8 => "I8",
        GgmlType.I16 => "I16",
        GgmlType.I32 => "I32",
        GgmlType.I64 => "I64",
        GgmlType.F64 => "F64",
        GgmlType.IQ1_M => "IQ1_M",
        GgmlType.BF16 => "BF16",
        GgmlType.TQ1_0 => "TQ1_0",
        GgmlType.TQ2_0 => "TQ2_0",
        GgmlType.MXFP4 => "MXFP4",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
