using ScaleLab.Core.Formats;
using ScaleLab.Core.Formats.Safetensors;

namespace ScaleLab.Core.Tests.Formats;

public sealed class SafetensorsIndexTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Index(string weightMapJson)
    {
        string path = _folder.File("model.safetensors.index.json");
        File.WriteAllText(path, $"{{\"metadata\": {{\"total_size\": 20}}, \"weight_map\": {weightMapJson}}}");
        return path;
    }

    private void Shard(string name, params (string Tensor, int Floats)[] tensors) =>
        SafetensorsWriter.Write(_folder.File(name), [.. tensors.Select(t => new SafetensorsTensor(t.Tensor, "F32", [t.Floats], new byte[t.Floats * 4]))], null);

    [Fact]
    public void Read_TwoShards_ListsEveryTensorAndTheIndexMetadata()
    {
        Shard("model-00001-of-00002.safetensors", ("a", 2), ("b", 1));
        Shard("model-00002-of-00002.safetensors", ("c", 2));
        string index = Index("{\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\", \"c\": \"model-00002-of-00002.safetensors\"}");

        var shards = SafetensorsIndexReader.Read(index);

        Assert.Equal(2, shards.Shards.Count);
        Assert.Equal(["a", "b", "c"], shards.Tensors.Select(t => t.Name));
        Assert.Equal("20", shards.Metadata["total_size"]);
        Assert.Equal(SafetensorsIndexReader.ShardName(2, 2), Path.GetFileName(shards.Shards[1].Path));
    }

    [Fact]
    public void Should_Reject_An_Index_That_Is_Not_Json()
    {
        string path = _folder.File("model.safetensors.index.json");
        File.WriteAllText(path, "{\"weight_map\": ");
        var ex = Assert.Throws<InvalidIndexException>(() => SafetensorsIndexReader.Read(path));
        Assert.StartsWith("not a safetensors index: invalid JSON: ", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Reject_An_Index_Without_A_Weight_Map()
    {
        string path = _folder.File("model.safetensors.index.json");
        File.WriteAllText(path, "{\"metadata\": {}}");
        var ex = Assert.Throws<InvalidIndexException>(() => SafetensorsIndexReader.Read(path));
        Assert.Equal("not a safetensors index: 'weight_map' is missing or not an object of tensor → shard file", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Shard_Path_Outside_The_Folder()
    {
        string index = Index("{\"a\": \"../../etc/passwd\"}");
        var ex = Assert.Throws<UnsafeShardNameException>(() => SafetensorsIndexReader.Read(index));
        Assert.Equal($"{index}: shard '../../etc/passwd' is not a plain file name in the index's folder", ex.Message);
    }

    [Fact]
    public void Should_Reject_A_Missing_Shard()
    {
        string index = Index("{\"a\": \"model-00001-of-00001.safetensors\"}");
        var ex = Assert.Throws<MissingShardException>(() => SafetensorsIndexReader.Read(index));
        Assert.Equal("shard 'model-00001-of-00001.safetensors' named in weight_map does not exist", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Tensor_Mapped_To_The_Wrong_Shard()
    {
        Shard("s1.safetensors", ("a", 1));
        Shard("s2.safetensors", ("b", 1));
        string index = Index("{\"a\": \"s2.safetensors\", \"b\": \"s2.safetensors\", \"x\": \"s1.safetensors\"}");
        var ex = Assert.Throws<ShardMismatchException>(() => SafetensorsIndexReader.Read(index));
        Assert.Equal("tensor 'a' is mapped to 's2.safetensors' but is stored in shard 's1.safetensors'", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Mapped_Tensor_No_Shard_Stores()
    {
        Shard("s1.safetensors", ("a", 1));
        string index = Index("{\"a\": \"s1.safetensors\", \"ghost\": \"s1.safetensors\"}");
        var ex = Assert.Throws<ShardMismatchException>(() => SafetensorsIndexReader.Read(index));
        Assert.Equal("tensor 'ghost' is mapped to, but is not stored in, shard 's1.safetensors'", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Tensor_Stored_In_Two_Shards()
    {
        Shard("s1.safetensors", ("a", 1));
        Shard("s2.safetensors", ("a", 1));
        string index = Index("{\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"}");
        var ex = Assert.Throws<DuplicateTensorException>(() => SafetensorsIndexReader.Read(index));
        Assert.Equal("tensor 'a' appears more than once", ex.Problem);
    }

    [Fact]
    public void Should_Reject_A_Hostile_Shard_Naming_The_Shard_File()
    {
        File.WriteAllBytes(_folder.File("s1.safetensors"), SafetensorsBytes.Build("{}", 0, declaredLength: 500));
        string index = Index("{\"a\": \"s1.safetensors\"}");
        var ex = Assert.Throws<HeaderBeyondFileException>(() => SafetensorsIndexReader.Read(index));
        Assert.EndsWith("s1.safetensors: header length 500 exceeds the file (10 bytes)", ex.Message, StringComparison.Ordinal);
    }
}
