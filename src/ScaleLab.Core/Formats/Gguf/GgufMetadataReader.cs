namespace ScaleLab.Core.Formats.Gguf;

/// <summary>Reads metadata values of every GGUF type, arrays included (ggml/docs/gguf.md, gguf_metadata_value_t).</summary>
internal static class GgufMetadataReader
{
    public static GgufMetadataEntry ReadEntry(GgufCursor cursor, int index)
    {
        string key = cursor.String($"metadata key #{index}");
        uint type = cursor.U32($"metadata '{key}' type");
        var valueType = CheckType(cursor, key, type);
        return new GgufMetadataEntry(key, valueType, ReadValue(cursor, key, valueType, depth: 0));
    }

    private static GgufValueType CheckType(GgufCursor cursor, string key, uint type) =>
        type <= (uint)GgufValueType.Float64 ? (GgufValueType)type : throw new GgufUnknownValueTypeException(cursor.Path, key, type);

    private static object ReadValue(GgufCursor cursor, string key, GgufValueType type, int depth)
    {
        string field = $"metadata '{key}'";
        return type switch
        {
            GgufValueType.UInt8 => cursor.U8(field),
            GgufValueType.Int8 => unchecked((sbyte)cursor.U8(field)),
            GgufValueType.UInt16 => cursor.U16(field),
            GgufValueType.Int16 => unchecked((short)cursor.U16(field)),
            GgufValueType.UInt32 => cursor.U32(field),
            GgufValueType.Int32 => unchecked((int)cursor.U32(field)),
            GgufValueType.Float32 => BitConverter.UInt32BitsToSingle(cursor.U32(field)),
            GgufValueType.Bool => cursor.U8(field) != 0,
            GgufValueType.String => cursor.String(field),
            GgufValueType.UInt64 => cursor.U64(field),
            GgufValueType.Int64 => unchecked((long)cursor.U64(field)),
            GgufValueType.Float64 => BitConverter.UInt64BitsToDouble(cursor.U64(field)),
            GgufValueType.Array => ReadArray(cursor, key, depth + 1),
            _ => throw new GgufUnknownValueTypeException(cursor.Path, key, (uint)type),
        };
    }

    private static GgufArray ReadArray(GgufCursor cursor, string key, int depth)
    {
        if (depth > GgufLimits.MaxArrayDepth) throw new GgufArrayTooDeepException(cursor.Path, key);
        var elementType = CheckType(cursor, key, cursor.U32($"metadata '{key}' array type"));
        ulong declared = cursor.U64($"metadata '{key}' array length");
        if (declared > GgufLimits.MaxArrayLength) throw new GgufArrayTooLongException(cursor.Path, key, declared);
        long length = (long)declared;

        // Every element takes at least one byte (a string at least its 8-byte length), so a count the rest
        // of the file cannot hold is caught here, before any allocation sized by it.
        int minimum = MinimumBytes(elementType);
        cursor.Need(checked((ulong)length * (ulong)minimum), $"metadata '{key}' array of {length} {elementType}");

        int kept = (int)Math.Min(length, GgufLimits.MaxRetainedArrayElements);
        var values = new List<object>(kept);
        for (long i = 0; i < length; i++)
        {
            if (i >= kept && FixedBytes(elementType) > 0)
            {
                // Fixed-size elements past the retained prefix: skip them in one step.
                cursor.Skip((length - i) * minimum, $"metadata '{key}' array");
                break;
            }

            object value = ReadValue(cursor, key, elementType, depth);
            if (i < kept) values.Add(value);
        }

        return new GgufArray(elementType, length, values);
    }

    /// <summary>Bytes of one fixed-size value; 0 for strings and arrays.</summary>
    private static int FixedBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => 0,
    };

    /// <summary>The fewest bytes one element can take: strings their u64 length, arrays their type and length.</summary>
    private static int MinimumBytes(GgufValueType type) => type switch
    {
        GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => FixedBytes(type),
    };
}
