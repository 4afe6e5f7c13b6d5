using System.Globalization;

namespace ScaleLab.Core.Formats.Safetensors;

// One type per way a safetensors file can be wrong, in the order SafetensorsReader checks them.
// Shared failures (truncation, unknown dtype, overflow, overlap, data past EOF, duplicates, UTF-8) are in Formats/.

/// <summary>Fewer than the 8 bytes of the header length.</summary>
public sealed class SafetensorsTooSmallException(string path, long fileBytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"file has {fileBytes} bytes; a safetensors file needs at least {SafetensorsLimits.LengthPrefixBytes} (the header length)"));

/// <summary>The header length is above <see cref="SafetensorsLimits.MaxHeaderBytes"/>.</summary>
public sealed class HeaderTooLargeException(string path, ulong headerBytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"header length {headerBytes} exceeds the limit of {SafetensorsLimits.MaxHeaderBytes} bytes"));

/// <summary>The header length runs past the end of the file.</summary>
public sealed class HeaderBeyondFileException(string path, long headerBytes, long fileBytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"header length {headerBytes} exceeds the file ({fileBytes} bytes)"));

/// <summary>The header is not a JSON object.</summary>
public sealed class HeaderNotJsonException(string path, string detail)
    : CheckpointFormatException(path, $"header is not a JSON object: {detail}");

/// <summary>A tensor entry lacks a field or has one of the wrong type.</summary>
public sealed class InvalidTensorEntryException(string path, string tensor, string field, string problem)
    : CheckpointFormatException(path, $"tensor '{tensor}' field '{field}' {problem}");

/// <summary>__metadata__ is not a map of strings to strings.</summary>
public sealed class InvalidMetadataException(string path, string problem)
    : CheckpointFormatException(path, $"__metadata__ {problem}; it must be an object whose values are all strings");

/// <summary>A sub-byte dtype (F4, F6) whose elements do not fill whole bytes.</summary>
public sealed class FractionalByteTensorException(string path, string tensor, string dtype, long elements)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor '{tensor}' holds {elements} {dtype} elements, which do not fill a whole number of bytes"));

/// <summary>data_offsets with end before begin.</summary>
public sealed class ReversedOffsetsException(string path, string tensor, long begin, long end)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor '{tensor}' data_offsets [{begin}, {end}] end before they begin"));

/// <summary>shape × dtype size differs from the byte span of data_offsets.</summary>
public sealed class TensorSizeMismatchException(string path, string tensor, string dtype, IReadOnlyList<long> shape, long expectedBytes, long spanBytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor '{tensor}' is {dtype} [{string.Join(", ", shape)}] = {expectedBytes} bytes, but its data_offsets span {spanBytes} bytes"));

/// <summary>Bytes between two tensors (or before the first) that belong to none: the format requires contiguous data.</summary>
public sealed class GapBetweenTensorsException(string path, string tensor, long expectedBegin, long begin)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor '{tensor}' begins at byte {begin} but the previous tensor ends at byte {expectedBegin}; tensor data must be contiguous"));

/// <summary>The file goes on after the last tensor: the header does not describe the whole file.</summary>
public sealed class TrailingBytesException(string path, long dataEnd, long fileBytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensor data ends at byte {dataEnd} but the file has {fileBytes} bytes; the data must end exactly at the end of the file"));

/// <summary>A tensor asked for by name that the file does not hold.</summary>
public sealed class TensorNotFoundException(string path, string tensor)
    : CheckpointFormatException(path, $"no tensor named '{tensor}'");
