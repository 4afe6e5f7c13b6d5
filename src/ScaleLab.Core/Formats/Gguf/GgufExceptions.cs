using System.Globalization;

namespace ScaleLab.Core.Formats.Gguf;

// One type per way a GGUF file can be wrong, in the order GgufReader meets them. Shared failures
// (truncation, unknown tensor type, overflow, overlap, data past EOF, duplicate tensors, UTF-8) are in Formats/.

/// <summary>The file does not start with "GGUF".</summary>
public sealed class GgufBadMagicException(string path, ReadOnlySpan<byte> magic)
    : CheckpointFormatException(path, $"bad magic 0x{Convert.ToHexString(magic)}; a GGUF file starts with 0x47475546 (\"GGUF\")");

/// <summary>A version other than 2 or 3 (version 1 used 32-bit counts; big-endian files read as huge versions).</summary>
public sealed class GgufUnsupportedVersionException(string path, uint version)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"unsupported GGUF version {version}{(version is 0x02000000 or 0x03000000 ? " (a big-endian file)" : "")}; supported: 2, 3"));

/// <summary>More tensors than <see cref="GgufLimits.MaxTensors"/>.</summary>
public sealed class GgufTooManyTensorsException(string path, ulong count)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor count {count} exceeds the limit of {GgufLimits.MaxTensors}"));

/// <summary>More metadata entries than <see cref="GgufLimits.MaxMetadataEntries"/>.</summary>
public sealed class GgufTooManyMetadataEntriesException(string path, ulong count)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"metadata count {count} exceeds the limit of {GgufLimits.MaxMetadataEntries}"));

/// <summary>A string longer than <see cref="GgufLimits.MaxStringBytes"/>.</summary>
public sealed class GgufStringTooLongException(string path, string field, ulong length)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"{field} has length {length}, above the limit of {GgufLimits.MaxStringBytes} bytes"));

/// <summary>An array longer than <see cref="GgufLimits.MaxArrayLength"/>.</summary>
public sealed class GgufArrayTooLongException(string path, string key, ulong length)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"metadata '{key}' is an array of {length} elements, above the limit of {GgufLimits.MaxArrayLength}"));

/// <summary>Arrays nested deeper than <see cref="GgufLimits.MaxArrayDepth"/>.</summary>
public sealed class GgufArrayTooDeepException(string path, string key)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"metadata '{key}' nests arrays deeper than {GgufLimits.MaxArrayDepth} levels"));

/// <summary>A metadata value type the spec does not define.</summary>
public sealed class GgufUnknownValueTypeException(string path, string key, uint type)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"metadata '{key}' has unknown value type {type}; valid types are 0 to 12"));

/// <summary>Two metadata entries share a key.</summary>
public sealed class GgufDuplicateKeyException(string path, string key)
    : CheckpointFormatException(path, $"metadata key '{key}' appears more than once");

/// <summary>general.alignment is not a uint32 power of two.</summary>
public sealed class GgufInvalidAlignmentException(string path, string found)
    : CheckpointFormatException(path, $"general.alignment is {found}; it must be a uint32 power of two");

/// <summary>A tensor with more dimensions than <see cref="GgufLimits.MaxDimensions"/>.</summary>
public sealed class GgufTooManyDimensionsException(string path, string tensor, uint dimensions)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor '{tensor}' has {dimensions} dimensions; at most {GgufLimits.MaxDimensions} are allowed"));

/// <summary>A quantized tensor whose first dimension is not a whole number of blocks.</summary>
public sealed class GgufBlockMismatchException(string path, string tensor, GgmlType type, long firstDimension, int blockElements)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor '{tensor}' of type {type} has ne[0] = {firstDimension}, not a multiple of its block size {blockElements}"));

/// <summary>A tensor offset that is not a multiple of the alignment.</summary>
public sealed class GgufMisalignedTensorException(string path, string tensor, ulong offset, uint alignment)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor '{tensor}' offset {offset} is not a multiple of the alignment {alignment}"));
