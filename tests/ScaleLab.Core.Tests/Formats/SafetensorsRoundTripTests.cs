using System.Buffers.Binary;
using System.Text;
using ScaleLab.Core.Formats.Safetensors;

namespace ScaleLab.Core.Tests.Formats;

public sealed class SafetensorsRoundTripTests : IDisposable
{
    private static readonly string[] DTypes = ["F32", "F16", "BF16", "I8", "U8", "I32", "I64", "F64", "BOOL", "U16"];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Write_OneTensor_ProducesTheReferenceLayout()
    {
        string path = _folder.File("one.safetensors");
        SafetensorsWriter.Write(path, [new SafetensorsTensor("w", "F32", [2], [1, 0, 0, 0, 2, 0, 0, 0])],
            new Dictionary<string, string> { ["format"] = "pt" });

        byte[] file = File.ReadAllBytes(path);
        const string json = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        // 8 + 85 = 93 → padded with 3 spaces to 96, a multiple of 8.
        Assert.Equal(85, json.Length);
        Assert.Equal(88UL, BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Equal(json + "   ", Encoding.UTF8.GetString(file, 8, 88));
        Assert.Equal(new byte[] { 1, 0, 0, 0, 2, 0, 0, 0 }, file[96..]);
    }

    [Fact]
    public void Write_OrdersTensorsByDtypeSizeThenName_SoEveryTensorIsAligned()
    {
        string path = _folder.File("order.safetensors");
        SafetensorsWriter.Write(path, [
            new SafetensorsTensor("b", "U8", [3], [1, 2, 3]),
            new SafetensorsTensor("z", "F32", [1], [0, 0, 128, 63]),
            new SafetensorsTensor("a", "F32", [1], [0, 0, 0, 64]),
            new SafetensorsTensor("h", "F16", [1], [0, 60]),
        ], null);

        var header = SafetensorsReader.ReadHeader(path);
        Assert.Equal(["a", "z", "h", "b"], header.Tensors.Select(t => t.Name));
        Assert.Equal([0L, 4, 8, 10], header.Tensors.Select(t => t.Begin));
        Assert.Equal(0, header.DataStart % 8);
        Assert.Empty(header.Metadata);
    }

    [Fact]
    public void Write_SameTensorsInAnyOrder_GivesIdenticalBytes()
    {
        SafetensorsTensor[] tensors = [new("x", "I8", [2], [1, 2]), new("y", "I32", [1], [5, 0, 0, 0])];
        var metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        SafetensorsWriter.Write(_folder.File("1.safetensors"), tensors, metadata);
        SafetensorsWriter.Write(_folder.File("2.safetensors"), [.. tensors.Reverse()], metadata.Reverse().ToDictionary());
        Assert.Equal(File.ReadAllBytes(_folder.File("1.safetensors")), File.ReadAllBytes(_folder.File("2.safetensors")));
    }

    [Fact]
    public void Write_OverAnExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        string path = _folder.File("w.safetensors");
        File.WriteAllText(path, "old contents");
        SafetensorsWriter.Write(path, [new SafetensorsTensor("w", "U8", [1], [9])], null);
        Assert.Equal([9], SafetensorsReader.ReadTensor(path, "w"));
        Assert.Equal(["w.safetensors"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_DataOfTheWrongLength_ThrowsAndLeavesNoFile()
    {
        string path = _folder.File("bad.safetensors");
        var ex = Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [new SafetensorsTensor("w", "F32", [2], [1, 2, 3])], null));
        Assert.StartsWith("tensor 'w': F32 [2] needs 8 bytes but 3 were given", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void Read_HeaderListedOutOfDataOrder_ReturnsTensorsInDataOrder()
    {
        string path = SafetensorsBytes.Write(_folder,
            "{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"__metadata__\":null}", 6);
        var header = SafetensorsReader.ReadHeader(path);
        Assert.Equal(["a", "b"], header.Tensors.Select(t => t.Name));
        Assert.Equal(header.DataStart + 4, header.Tensors[1].FileOffset);
        Assert.Equal(6, header.DataBytes);
    }

    [Fact]
    public void Read_ZeroSizedTensors_AreAcceptedAtAnyPointOfTheData()
    {
        string path = _folder.File("empty.safetensors");
        SafetensorsWriter.Write(path, [new("e", "F32", [0, 5], []), new("s", "F32", [], [0, 0, 128, 63]), new("n", "F32", [0], [])], null);
        var header = SafetensorsReader.ReadHeader(path);
        Assert.Equal([0L, 1, 0], new[] { "e", "s", "n" }.Select(n => header.Find(n).Elements));
        Assert.Equal([0, 0, 128, 63], SafetensorsReader.ReadTensor(path, "s"));
    }

    [Fact]
    public void RandomTensors_WriteThenRead_AreIdentical()
    {
        var random = new Random(20240601);
        for (int trial = 0; trial < 60; trial++)
        {
            var tensors = RandomTensors(random);
            var metadata = Enumerable.Range(0, random.Next(3)).ToDictionary(i => $"key{i}", i => $"välue \"{i}\"\n");
            string path = _folder.File($"r{trial}.safetensors");
            SafetensorsWriter.Write(path, tensors, metadata);

            var header = SafetensorsReader.ReadHeader(path);
            Assert.Equal(tensors.Count, header.Tensors.Count);
            Assert.Equal(metadata, header.Metadata);
            Assert.Equal(new FileInfo(path).Length, header.DataStart + tensors.Sum(t => t.Data.LongLength));
            foreach (var expected in tensors)
            {
                var info = header.Find(expected.Name);
                Assert.Equal(expected.DType, info.DType);
                Assert.Equal(expected.Shape, info.Shape);
                Assert.Equal(expected.Data, SafetensorsReader.ReadTensor(path, info));
            }
        }
    }

    private static List<SafetensorsTensor> RandomTensors(Random random)
    {
        var tensors = new List<SafetensorsTensor>();
        int count = random.Next(0, 6);
        for (int i = 0; i < count; i++)
        {
            string dtype = DTypes[random.Next(DTypes.Length)];
            long[] shape = [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => (long)random.Next(0, 5))];
            long elements = shape.Aggregate(1L, (a, b) => a * b);
            var data = new byte[elements * SafetensorsDTypes.BitsOf(dtype)!.Value / 8];
            random.NextBytes(data);
            tensors.Add(new SafetensorsTensor($"layers.{i}.w/ü\"{random.Next(100)}", dtype, shape, data));
        }

        return tensors;
    }
}
