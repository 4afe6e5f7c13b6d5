namespace ScaleLab.Core.Formats.Gguf;

/// <summary>
/// Reads one gguf_tensor_info_t (ggml/docs/gguf.md): name, n_dimensions (u32), dimensions (u64 each, ne[0] first),
/// type (u32 ggml_type), offset (u64, relative to the data section, a multiple of the alignment).
/// </summary>
internal static class GgufTensorInfoReader
{
    public static (GgufTensorInfo Info, ulong Offset) Read(GgufCursor cursor, int index, uint alignment)
    {
        string path = cursor.Path;
        string name = cursor.String($"tensor #{index} name");
        uint rank = cursor.U32($"tensor '{name}' dimension count");
        if (rank > GgufLimits.MaxDimensions) throw new GgufTooManyDimensionsException(path, name, rank);

        var dimensions = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            ulong dim = cursor.U64($"tensor '{name}' dimension {d}");
            if (dim > long.MaxValue) throw new InvalidDimensionException(path, name, dim.ToString(System.Globalization.CultureInfo.InvariantCulture));
            dimensions[d] = (long)dim;
        }

        uint type = cursor.U32($"tensor '{name}' type");
        if (!GgmlTypeSizes.TryGet(type, out var ggmlType, out var block))
            throw new UnknownDTypeException(path, name, $"ggml type {type}", GgmlTypeSizes.Names);
        ulong offset = cursor.U64($"tensor '{name}' offset");

        long elements = 1;
        long bytes;
        try
        {
            foreach (long dim in dimensions) elements = checked(elements * dim);
            bytes = checked(elements / block.Elements * block.Bytes);
        }
        catch (OverflowException)
        {
            throw new ShapeOverflowException(path, name, dimensions);
        }

        // Quantized blocks run along ne[0], so each row must hold whole blocks (ggml.c, ggml_row_size).
        long first = rank == 0 ? 1 : dimensions[0];
        if (first % block.Elements != 0) throw new GgufBlockMismatchException(path, name, ggmlType, first, block.Elements);
        if (offset % alignment != 0) throw new GgufMisalignedTensorException(path, name, offset, alignment);

        var info = new GgufTensorInfo(name, dimensions, ggmlType, Offset: 0, FileOffset: 0, elements, bytes);
        return (info, offset);
    }
}
