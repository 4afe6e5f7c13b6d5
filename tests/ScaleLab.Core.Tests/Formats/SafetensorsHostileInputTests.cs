using ScaleLab.Core.Formats;
using ScaleLab.Core.Formats.Safetensors;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>One test per way a safetensors file can lie, each asserting the exception type and its exact message.</summary>
public sealed class SafetensorsHostileInputTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private T Reject<T>(string header, long dataBytes, ulong? declared = null) where T : CheckpointFormatException
    {
        string path = SafetensorsBytes.Write(_folder, header, dataBytes, declared);
        var ex = Assert.Throws<T>(() => SafetensorsReader.ReadHeader(path));
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void Should_Reject_File_Shorter_Than_The_Length_Prefix()
    {
        string path = _folder.File("tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var ex = Assert.Throws<SafetensorsTooSmallException>(() => SafetensorsReader.ReadHeader(path));
        Assert.Equal($"{path}: file has 3 bytes; a safetensors file needs at least 8 (the header length)", ex.Message);
    }

    [Fact]
    public void Should_Reject_Header_Length_Above_The_Limit()
    {
        var ex = Reject<HeaderTooLargeException>("{}", 1016, declared: 9223372036854775807);
        Assert.Equal("header length 9223372036854775807 exceeds the limit of 100000000 bytes", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Header_Length_Beyond_The_File()
    {
        var ex = Reject<HeaderBeyondFileException>("{}", 1014, declared: 2000);
        Assert.Equal("header length 2000 exceeds the file (1024 bytes)", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_File_Truncated_Inside_Its_Header()
    {
        string full = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        var ex = Reject<HeaderBeyondFileException>(full[..20], 0, declared: (ulong)full.Length);
        Assert.Equal("header length 54 exceeds the file (28 bytes)", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Header_That_Is_Not_Utf8()
    {
        string path = _folder.File("model.safetensors");
        File.WriteAllBytes(path, SafetensorsBytes.Build([(byte)'{', 0xC3, 0x28, (byte)'}'], 0));
        var ex = Assert.Throws<InvalidUtf8Exception>(() => SafetensorsReader.ReadHeader(path));
        Assert.Equal("the header is not valid UTF-8", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Invalid_Json()
    {
        var ex = Reject<HeaderNotJsonException>("{\"a\": [1, 2", 0);
        Assert.StartsWith("header is not a JSON object: ", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Reject_A_Json_Root_That_Is_Not_An_Object()
    {
        var ex = Reject<HeaderNotJsonException>("[1, 2, 3]", 0);
        Assert.Equal("header is not a JSON object: the root is a JSON array, not an object", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Entry_Missing_Its_Dtype()
    {
        var ex = Reject<InvalidTensorEntryException>("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        Assert.Equal("tensor 'w' field 'dtype' is missing", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Offsets_That_Are_Not_A_Pair()
    {
        var ex = Reject<InvalidTensorEntryException>("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4);
        Assert.Equal("tensor 'w' field 'data_offsets' has 1 values; expected [begin, end]", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Negative_Dimension()
    {
        var ex = Reject<InvalidDimensionException>("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4);
        Assert.Equal("tensor 'w' has invalid dimension -1; dimensions must be between 0 and 9223372036854775807", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Metadata_With_A_Non_String_Value()
    {
        var ex = Reject<InvalidMetadataException>("{\"__metadata__\":{\"epoch\":3}}", 0);
        Assert.Equal("__metadata__ key 'epoch' is a JSON number, not a string; it must be an object whose values are all strings", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Duplicate_Tensor_Name()
    {
        const string entry = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
        var ex = Reject<DuplicateTensorException>($"{{\"w\":{entry},\"w\":{entry}}}", 1);
        Assert.Equal("tensor 'w' appears more than once", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Unknown_Dtype()
    {
        var ex = Reject<UnknownDTypeException>("{\"w\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16);
        Assert.StartsWith("tensor 'w' has unknown dtype 'F128'; known: BOOL, F4, F6_E2M3", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Reject_A_Shape_Whose_Product_Overflows()
    {
        var ex = Reject<ShapeOverflowException>("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4);
        Assert.Equal("tensor 'w' shape [4294967296, 4294967296] overflows 64-bit element or byte counts", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Byte_Count_That_Overflows()
    {
        // 2^62 elements fit in a long, their 2^67 bits do not.
        var ex = Reject<ShapeOverflowException>("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,4]}}", 4);
        Assert.Equal("tensor 'w' shape [4611686018427387904] overflows 64-bit element or byte counts", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Sub_Byte_Elements_That_Do_Not_Fill_A_Byte()
    {
        var ex = Reject<FractionalByteTensorException>("{\"w\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2);
        Assert.Equal("tensor 'w' holds 3 F4 elements, which do not fill a whole number of bytes", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Offsets_That_End_Before_They_Begin()
    {
        var ex = Reject<ReversedOffsetsException>("{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4);
        Assert.Equal("tensor 'w' data_offsets [4, 0] end before they begin", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Shape_Times_Dtype_Not_Equal_To_The_Span()
    {
        var ex = Reject<TensorSizeMismatchException>("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20);
        Assert.Equal("tensor 'w' is F32 [2, 3] = 24 bytes, but its data_offsets span 20 bytes", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Overlapping_Offsets()
    {
        var ex = Reject<OverlappingTensorsException>(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        Assert.Equal("tensors 'a' and 'b' overlap: 'a' ends at byte 8 but 'b' begins at byte 4", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Gap_Between_Tensors()
    {
        var ex = Reject<GapBetweenTensorsException>(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12);
        Assert.Equal("tensor 'b' begins at byte 8 but the previous tensor ends at byte 4; tensor data must be contiguous", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Data_Past_The_End_Of_The_File()
    {
        const string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        var ex = Reject<DataPastEndOfFileException>(header, 10);
        Assert.Equal($"tensor 'w' ends at byte {8 + header.Length + 16}, past the end of the file ({8 + header.Length + 10} bytes)", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Bytes_After_The_Last_Tensor()
    {
        const string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        var ex = Reject<TrailingBytesException>(header, 9);
        Assert.Equal($"tensor data ends at byte {8 + header.Length + 4} but the file has {8 + header.Length + 9} bytes; the data must end exactly at the end of the file", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Reading_A_Tensor_That_Is_Not_There()
    {
        string path = SafetensorsBytes.Write(_folder, "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        var ex = Assert.Throws<TensorNotFoundException>(() => SafetensorsReader.ReadTensor(path, "v"));
        Assert.Equal("no tensor named 'v'", ex.Problem);
    }
}
