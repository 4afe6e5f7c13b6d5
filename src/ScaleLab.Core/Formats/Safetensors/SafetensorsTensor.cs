namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// A tensor to write: its name, dtype string ("F32", "BF16", "I8", …; see <see cref="SafetensorsDTypes"/>),
/// shape and raw little-endian bytes (row-major, exactly shape × dtype size).
/// </summary>
public sealed record SafetensorsTensor(string Name, string DType, long[] Shape, byte[] Data);
