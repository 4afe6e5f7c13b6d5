namespace ScaleLab.Core.Formats.Safetensors;

/// <summary>
/// Turns an <see cref="UntrustedSafetensorsHeader"/> into a <see cref="SafetensorsHeader"/>, the way the reference
/// validates (huggingface/safetensors, tensor.rs, Metadata::validate): per tensor, a known dtype, a checked
/// element and byte count, end ≥ begin and a span equal to shape × dtype size; then, in offset order, data that
/// starts at 0 and is contiguous (no gap, no overlap); last, data that ends exactly at the end of the file.
/// </summary>
internal static class SafetensorsValidation
{
    public static SafetensorsHeader Validate(string path, UntrustedSafetensorsHeader untrusted, long headerBytes, long fileBytes)
    {
        long dataStart = SafetensorsLimits.LengthPrefixBytes + headerBytes;
        var tensors = new List<SafetensorsTensorInfo>(untrusted.Entries.Count);
        foreach (var entry in untrusted.Entries) tensors.Add(ValidateEntry(path, entry, dataStart));

        // Header order is not meaningful (JSON objects are unordered); the data order is.
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (var tensor in tensors)
        {
            if (tensor.Begin < expectedBegin)
                throw new OverlappingTensorsException(path, previous!.Name, tensor.Name, expectedBegin, tensor.Begin);
            if (tensor.Begin > expectedBegin) throw new GapBetweenTensorsException(path, tensor.Name, expectedBegin, tensor.Begin);
            expectedBegin = tensor.End;
            previous = tensor;
        }

        // dataStart ≤ fileBytes (the reader checked the header fits) and expectedBegin ≤ long.MaxValue, so compare
        // the remaining room instead of adding, which could overflow.
        long room = fileBytes - dataStart;
        if (expectedBegin > room)
            throw new DataPastEndOfFileException(path, $"tensor '{previous!.Name}'", SaturatingAdd(dataStart, expectedBegin), fileBytes);
        if (expectedBegin < room) throw new TrailingBytesException(path, dataStart + expectedBegin, fileBytes);
        return new SafetensorsHeader(path, fileBytes, headerBytes, tensors, untrusted.Metadata);
    }

    private static SafetensorsTensorInfo ValidateEntry(string path, UntrustedTensorEntry entry, long dataStart)
    {
        int bits = SafetensorsDTypes.BitsOf(entry.DType)
                   ?? throw new UnknownDTypeException(path, entry.Name, entry.DType, SafetensorsDTypes.Names);
        long elements;
        long? bytes;
        try
        {
            elements = 1;
            foreach (long dim in entry.Shape) elements = checked(elements * dim);
            bytes = SafetensorsDTypes.ByteCount(bits, elements);
        }
        catch (OverflowException)
        {
            throw new ShapeOverflowException(path, entry.Name, entry.Shape);
        }

        if (bytes is null) throw new FractionalByteTensorException(path, entry.Name, entry.DType, elements);
        if (entry.End < entry.Begin) throw new ReversedOffsetsException(path, entry.Name, entry.Begin, entry.End);
        long span = entry.End - entry.Begin;
        if (span != bytes.Value)
            throw new TensorSizeMismatchException(path, entry.Name, entry.DType, entry.Shape, bytes.Value, span);
        return new SafetensorsTensorInfo(entry.Name, entry.DType, entry.Shape, elements, entry.Begin, entry.End,
            SaturatingAdd(dataStart, entry.Begin));
    }

    /// <summary>For positions only reported or later checked against the file length: never wraps negative.</summary>
    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
