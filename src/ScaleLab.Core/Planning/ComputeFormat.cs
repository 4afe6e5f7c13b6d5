namespace ScaleLab.Core.Planning;

/// <summary>
/// The number format the matrix units multiply in; decides which peak rate of a <see cref="HardwareProfile"/> applies.
/// TF32 stores fp32 but multiplies with a 10-bit mantissa on tensor cores (NVIDIA A100 whitepaper, "TF32").
/// </summary>
public enum ComputeFormat { Fp32, Tf32, Fp16, Bf16, Fp8, Int8 }

public static class ComputeFormatInfo
{
    public static IReadOnlyList<ComputeFormat> All { get; } =
        [ComputeFormat.Fp32, ComputeFormat.Tf32, ComputeFormat.Fp16, ComputeFormat.Bf16, ComputeFormat.Fp8, ComputeFormat.Int8];

    /// <summary>The name on the command line and in JSON; one explicit map, so renaming a member never changes the output.</summary>
    public static string Name(this ComputeFormat format) => format switch
    {
        ComputeFormat.Fp32 => "fp32",
        ComputeFormat.Tf32 => "tf32",
        ComputeFormat.Fp16 => "fp16",
        ComputeFormat.Bf16 => "bf16",
        ComputeFormat.Fp8 => "fp8",
        ComputeFormat.Int8 => "int8",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static bool TryParse(string text, out ComputeFormat format)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.Trim().ToLowerInvariant())
        {
            case "fp32" or "float32" or "f32": format = ComputeFormat.Fp32; return true;
            case "tf32": format = ComputeFormat.Tf32; return true;
            case "fp16" or "float16" or "f16" or "half": format = ComputeFormat.Fp16; return true;
            case "bf16" or "bfloat16": format = ComputeFormat.Bf16; return true;
            case "fp8" or "f8" or "float8": format = ComputeFormat.Fp8; return true;
            case "int8" or "i8": format = ComputeFormat.Int8; return true;
            default: format = default; return false;
        }
    }

    /// <summary>Parses or throws a message listing the valid names; <paramref name="option"/> names where the text came from.</summary>
    public static ComputeFormat Parse(string text, string option)
    {
        if (TryParse(text, out var format)) return format;
        throw new PlanningException($"{option} '{text}': unknown precision; valid: {string.Join(", ", All.Select(Name))}");
    }
}
