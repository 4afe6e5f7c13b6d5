using System.Globalization;

namespace ScaleLab.Core.Formats;

// Failures shared by every weights format. Format-specific ones live beside their reader.

/// <summary>The file ends before a field the header says is there.</summary>
public sealed class TruncatedFileException(string path, string field, long neededBytes, long position, long fileBytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"truncated: {field} needs {neededBytes} bytes at offset {position}, but the file has {fileBytes} bytes"));

/// <summary>A tensor's dtype (or ggml type) is not one the format defines.</summary>
public sealed class UnknownDTypeException(string path, string tensor, string dtype, IEnumerable<string> known)
    : CheckpointFormatException(path, $"tensor '{tensor}' has unknown dtype '{dtype}'; known: {string.Join(", ", known)}");

/// <summary>The product of a tensor's dimensions (or its byte size) does not fit in 64 bits.</summary>
public sealed class ShapeOverflowException(string path, string tensor, IReadOnlyList<long> shape)
    : CheckpointFormatException(path, $"tensor '{tensor}' shape [{string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))}] overflows 64-bit element or byte counts");

/// <summary>A dimension is negative or larger than the format allows.</summary>
public sealed class InvalidDimensionException(string path, string tensor, string dimension)
    : CheckpointFormatException(path, $"tensor '{tensor}' has invalid dimension {dimension}; dimensions must be between 0 and {long.MaxValue.ToString(CultureInfo.InvariantCulture)}");

/// <summary>Two tensors claim the same bytes.</summary>
public sealed class OverlappingTensorsException(string path, string first, string second, long firstEnd, long secondBegin)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"tensors '{first}' and '{second}' overlap: '{first}' ends at byte {firstEnd} but '{second}' begins at byte {secondBegin}"));

/// <summary>A tensor's bytes (or the data section) run past the end of the file.</summary>
public sealed class DataPastEndOfFileException(string path, string what, long end, long fileBytes)
    : CheckpointFormatException(path, string.Create(CultureInfo.InvariantCulture,
        $"{what} ends at byte {end}, past the end of the file ({fileBytes} bytes)"));

/// <summary>Two tensors share a name.</summary>
public sealed class DuplicateTensorException(string path, string tensor)
    : CheckpointFormatException(path, $"tensor '{tensor}' appears more than once");

/// <summary>A text field is not valid UTF-8.</summary>
public sealed class InvalidUtf8Exception(string path, string field)
    : CheckpointFormatException(path, $"{field} is not valid UTF-8");
