namespace ScaleLab.Core.Accounting;

/// <summary>Numeric formats a tensor can be stored in. Bits, not bytes: int4 packs two values a byte.</summary>
public enum Precision { Fp32, Fp16, Bf16, Fp8, Int8, Int4 }

public static class PrecisionInfo
{
    public static int Bits(this Precision p) => p switch
    {
        Precision.Fp32 => 32,
        Precision.Fp16 or Precision.Bf16 => 16,
        Precision.Fp8 or Precision.Int8 => 8,
        Precision.Int4 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, null),
    };

    /// <summary>Bytes for <paramref name="elements"/> values, rounded up to whole bytes (int4 packs two a byte).</summary>
    public static long BytesFor(this Precision p, long elements) => checked((elements * p.Bits() + 7) / 8);

    /// <summary>The name on the command line and in JSON; one explicit map, so renaming a member never changes the output.</summary>
    public static string Name(this Precision p) => p switch
    {
        Precision.Fp32 => "fp32",
        Precision.Fp16 => "fp16",
        Precision.Bf16 => "bf16",
        Precision.Fp8 => "fp8",
        Precision.Int8 => "int8",
        Precision.Int4 => "int4",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, null),
    };

    public static bool TryParse(string text, out Precision precision)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "fp32" or "float32" or "f32": precision = Precision.Fp32; return true;
            case "fp16" or "float16" or "f16" or "half": precision = Precision.Fp16; return true;
            case "bf16" or "bfloat16": precision = Precision.Bf16; return true;
            case "fp8" or "f8" or "float8": precision = Precision.Fp8; return true;
            case "int8" or "i8": precision = Precision.Int8; return true;
            case "int4" or "i4": precision = Precision.Int4; return true;
            default: precision = default; return false;
        }
    }

    /// <summary>The one parse of a precision name for every option and file field, with the one message.</summary>
    public static Precision Parse(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var p) ? p : throw new ScaleLabException(UnknownMessage(text, field, ""));
    }

    /// <summary>"FIELD 'TEXT': unknown precision; valid: fp32, …" — <paramref name="more"/> names further accepted forms (", or …").</summary>
    public static string UnknownMessage(string text, string field, string more) =>
        $"{field} '{text}': unknown precision; valid: {string.Join(", ", All.Select(x => x.Name()))}{more}";

    public static IReadOnlyList<Precision> All { get; } =
        [Precision.Fp32, Precision.Fp16, Precision.Bf16, Precision.Fp8, Precision.Int8, Precision.Int4];
}
