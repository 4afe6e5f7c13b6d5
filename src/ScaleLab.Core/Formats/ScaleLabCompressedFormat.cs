namespace ScaleLab.Core.Formats;

/// <summary>
/// ScaleLab's own compressed model file (written by `scalelab compress`, docs/compression.md "The file format"): a
/// safetensors file whose __metadata__ says "scalelab.format" = "compressed/1" and lists each logical tensor's
/// encoding, shape, scheme and group size in "scalelab.encodings". The names live here once, below the writer
/// (ScaleLab.Torch) and the inspector (ScaleLab.Core).
/// </summary>
public static class ScaleLabCompressedFormat
{
    public const string FormatKey = "scalelab.format";
    public const string FormatValue = "compressed/1";
    public const string EncodingsKey = "scalelab.encodings";
    public const string SpecKey = "scalelab.spec";
}
