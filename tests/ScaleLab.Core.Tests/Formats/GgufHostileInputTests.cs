using ScaleLab.Core.Formats;
using ScaleLab.Core.Formats.Gguf;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>One test per way a GGUF file can lie, each asserting the exception type and its exact message.</summary>
public sealed class GgufHostileInputTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private T Reject<T>(GgufBuilder builder) where T : CheckpointFormatException
    {
        string path = builder.Write(_folder);
        var ex = Assert.Throws<T>(() => GgufReader.ReadHeader(path));
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void Should_Reject_Bad_Magic()
    {
        var ex = Reject<GgufBadMagicException>(new GgufBuilder { Magic = "GGML"u8.ToArray() });
        Assert.Equal("bad magic 0x47474D4C; a GGUF file starts with 0x47475546 (\"GGUF\")", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Version_1()
    {
        var ex = Reject<GgufUnsupportedVersionException>(new GgufBuilder { Version = 1 });
        Assert.Equal("unsupported GGUF version 1; supported: 2, 3", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Big_Endian_File_As_An_Unsupported_Version()
    {
        var ex = Reject<GgufUnsupportedVersionException>(new GgufBuilder { Version = 0x03000000 });
        Assert.Equal("unsupported GGUF version 50331648 (a big-endian file); supported: 2, 3", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_File_Shorter_Than_The_Magic()
    {
        var ex = Reject<TruncatedFileException>(new GgufBuilder { TruncateTo = 2 });
        Assert.Equal("truncated: magic needs 4 bytes at offset 0, but the file has 2 bytes", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_File_Truncated_Inside_Its_Metadata()
    {
        var ex = Reject<TruncatedFileException>(new GgufBuilder { TruncateTo = 24 + 8 + 10 }.String("general.architecture", "llama"));
        Assert.Equal("truncated: metadata key #0 needs 20 bytes at offset 32, but the file has 42 bytes", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Absurd_Tensor_Count()
    {
        var ex = Reject<GgufTooManyTensorsException>(new GgufBuilder { TensorCountOverride = ulong.MaxValue });
        Assert.Equal("tensor count 18446744073709551615 exceeds the limit of 1000000", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Tensor_Count_The_File_Cannot_Hold()
    {
        var ex = Reject<TruncatedFileException>(new GgufBuilder { TensorCountOverride = 999_999 });
        Assert.Equal("truncated: tensor '' dimension count needs 4 bytes at offset 32, but the file has 32 bytes", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Absurd_Metadata_Count()
    {
        var ex = Reject<GgufTooManyMetadataEntriesException>(new GgufBuilder { MetadataCountOverride = 1UL << 40 });
        Assert.Equal("metadata count 1099511627776 exceeds the limit of 100000", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Absurd_String_Length()
    {
        var builder = new GgufBuilder().Add("general.name", GgufValueType.String, w => w.Write(ulong.MaxValue - 1));
        var ex = Reject<GgufStringTooLongException>(builder);
        Assert.Equal("metadata 'general.name' has length 18446744073709551614, above the limit of 16777216 bytes", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_String_Length_Past_The_End_Of_The_File()
    {
        var builder = new GgufBuilder().Add("general.name", GgufValueType.String, w => w.Write(1_000_000UL));
        var ex = Reject<TruncatedFileException>(builder);
        Assert.StartsWith("truncated: metadata 'general.name' needs 1000000 bytes at offset 56", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Reject_A_String_That_Is_Not_Utf8()
    {
        var builder = new GgufBuilder().Add("general.name", GgufValueType.String, w => { w.Write(2UL); w.Write(new byte[] { 0xC3, 0x28 }); });
        var ex = Reject<InvalidUtf8Exception>(builder);
        Assert.Equal("metadata 'general.name' is not valid UTF-8", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Absurd_Array_Length()
    {
        var builder = new GgufBuilder().Add("tokenizer.ggml.tokens", GgufValueType.Array, w => { w.Write((uint)GgufValueType.String); w.Write(1UL << 50); });
        var ex = Reject<GgufArrayTooLongException>(builder);
        Assert.Equal("metadata 'tokenizer.ggml.tokens' is an array of 1125899906842624 elements, above the limit of 16777216", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Array_The_File_Cannot_Hold_Before_Allocating_It()
    {
        var builder = new GgufBuilder().Add("scores", GgufValueType.Array, w => { w.Write((uint)GgufValueType.Float64); w.Write(16_000_000UL); });
        var ex = Reject<TruncatedFileException>(builder);
        Assert.StartsWith("truncated: metadata 'scores' array of 16000000 Float64 needs 128000000 bytes", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Reject_Arrays_Nested_Too_Deep()
    {
        var builder = new GgufBuilder().Add("deep", GgufValueType.Array, w =>
        {
            for (int i = 0; i < 5; i++) { w.Write((uint)GgufValueType.Array); w.Write(1UL); }
            w.Write((uint)GgufValueType.UInt8);
            w.Write(0UL);
        });
        var ex = Reject<GgufArrayTooDeepException>(builder);
        Assert.Equal("metadata 'deep' nests arrays deeper than 4 levels", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Unknown_Value_Type()
    {
        var ex = Reject<GgufUnknownValueTypeException>(new GgufBuilder().Add("x", (GgufValueType)13, _ => { }));
        Assert.Equal("metadata 'x' has unknown value type 13; valid types are 0 to 12", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Duplicate_Key()
    {
        var ex = Reject<GgufDuplicateKeyException>(new GgufBuilder().String("general.name", "a").String("general.name", "b"));
        Assert.Equal("metadata key 'general.name' appears more than once", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Alignment_That_Is_Not_A_Power_Of_Two()
    {
        var ex = Reject<GgufInvalidAlignmentException>(new GgufBuilder().UInt32("general.alignment", 24));
        Assert.Equal("general.alignment is UInt32 24; it must be a uint32 power of two", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Too_Many_Dimensions()
    {
        var ex = Reject<GgufTooManyDimensionsException>(new GgufBuilder().RawTensor("w", [1, 1, 1, 1, 1], 0, 4, null));
        Assert.Equal("tensor 'w' has 5 dimensions; at most 4 are allowed", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Dimension_Above_Int64()
    {
        var ex = Reject<InvalidDimensionException>(new GgufBuilder().RawTensor("w", [ulong.MaxValue], 0, 0, null));
        Assert.Equal("tensor 'w' has invalid dimension 18446744073709551615; dimensions must be between 0 and 9223372036854775807", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Unknown_Ggml_Type()
    {
        var ex = Reject<UnknownDTypeException>(new GgufBuilder().RawTensor("w", [32], 4, 18, null));
        Assert.StartsWith("tensor 'w' has unknown dtype 'ggml type 4'; known: F32, F16, Q4_0", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Reject_Dimensions_Whose_Product_Overflows()
    {
        var ex = Reject<ShapeOverflowException>(new GgufBuilder().RawTensor("w", [1L << 32, 1L << 32], 0, 4, null));
        Assert.Equal("tensor 'w' shape [4294967296, 4294967296] overflows 64-bit element or byte counts", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Row_That_Is_Not_Whole_Blocks()
    {
        var ex = Reject<GgufBlockMismatchException>(new GgufBuilder().RawTensor("w", [100, 2], (uint)GgmlType.Q4_K, 144, null));
        Assert.Equal("tensor 'w' of type Q4_K has ne[0] = 100, not a multiple of its block size 256", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Misaligned_Offset()
    {
        var ex = Reject<GgufMisalignedTensorException>(new GgufBuilder().RawTensor("w", [4], 0, 16, 8));
        Assert.Equal("tensor 'w' offset 8 is not a multiple of the alignment 32", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Duplicate_Tensor_Name()
    {
        var ex = Reject<DuplicateTensorException>(new GgufBuilder().Tensor("w", GgmlType.F32, 4).Tensor("w", GgmlType.F32, 4));
        Assert.Equal("tensor 'w' appears more than once", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Overlapping_Tensors()
    {
        var ex = Reject<OverlappingTensorsException>(new GgufBuilder().RawTensor("a", [16], 0, 64, 0).RawTensor("b", [16], 0, 64, 32));
        Assert.Equal("tensors 'a' and 'b' overlap: 'a' ends at byte 64 but 'b' begins at byte 32", ex.Problem);
    }

    [Fact]
    public void Should_Reject_Tensor_Data_Past_The_End_Of_The_File()
    {
        var builder = new GgufBuilder().RawTensor("w", [1024], 0, 0, 0);
        string path = builder.Write(_folder);
        long length = new FileInfo(path).Length;
        var ex = Assert.Throws<DataPastEndOfFileException>(() => GgufReader.ReadHeader(path));
        Assert.Equal($"tensor 'w' ends at byte {length + 4096}, past the end of the file ({length} bytes)", ex.Problem);
    }

    [Fact]
    public void Should_Reject_An_Offset_Near_Int64_Max_Without_Overflowing()
    {
        var ex = Reject<DataPastEndOfFileException>(new GgufBuilder().RawTensor("w", [8], 0, 0, ulong.MaxValue - 31));
        Assert.Equal("tensor 'w' ends at byte 9223372036854775807, past the end of the file (64 bytes)", ex.Problem);
    }
}
