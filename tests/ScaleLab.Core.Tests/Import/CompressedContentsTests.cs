using ScaleLab.Core.Formats.Safetensors;
using ScaleLab.Core.Import.Checkpoints;

namespace ScaleLab.Core.Tests.Import;

/// <summary>Inspecting compressed files: exact counts from hand-made files, and one clear error per way a file can be wrong.</summary>
public sealed class CompressedContentsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("scalelab-compressed-contents-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ScaleLabFile(string encodings, params SafetensorsTensor[] tensors)
    {
        string path = Path.Combine(_dir, "model.safetensors");
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string>
        {
            ["scalelab.format"] = "compressed/1", ["scalelab.encodings"] = encodings, ["scalelab.spec"] = "{}",
        });
        return path;
    }

    [Fact]
    public void ScaleLabInt8_CountsNonZerosAsValuesUnlikeTheirZeroPoint()
    {
        // Given a 2 × 3 int8 per-channel asymmetric weight, zero-points 5 and −2: rows [5, 5, 7] and [−2, 1, 2] hold three zeros
        string path = ScaleLabFile("""{"w":{"encoding":"Int8","shape":[2,3],"scheme":"Int8PerChannelAsymmetric","group_size":0}}""",
            new("w.q", "I8", [2, 3], [5, 5, 7, 0xFE, 1, 2]),
            new("w.scale", "F32", [2], new byte[8]),
            new("w.zero", "I8", [2], [5, 0xFE]));

        var summary = CheckpointSummaryReader.Read(path);

        Assert.Equal(6, summary.ModelParameters);
        var w = Assert.Single(summary.Compressed!.Tensors);
        Assert.Equal(("int8 per-channel asymmetric", 6L, 3L, 16L), (w.Encoding, w.Parameters, w.NonZero, w.StoredBytes));
        Assert.Equal(3, summary.Compressed.NonZero);
    }

    [Fact]
    public void ScaleLabFile_WithEncodingsThatAreNotJson_NamesTheKey()
    {
        string path = ScaleLabFile("{not json", new SafetensorsTensor("w", "F32", [1], new byte[4]));
        var error = Assert.Throws<ScaleLabException>(() => CheckpointSummaryReader.Read(path));
        Assert.StartsWith($"{path}: metadata 'scalelab.encodings' is not a JSON object:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScaleLabFile_MissingAPart_NamesTheTensorAndThePart()
    {
        string path = ScaleLabFile("""{"w":{"encoding":"Sparse","shape":[8]}}""", new SafetensorsTensor("w.mask", "U8", [1], [0xFF]));
        var error = Assert.Throws<ScaleLabException>(() => CheckpointSummaryReader.Read(path));
        Assert.Equal($"{path}: 'scalelab.encodings' entry 'w' is invalid: part 'w.values' is missing", error.Message);
    }

    [Fact]
    public void CompressedTensors_ConfigThatIsNotJson_NamesTheConfig()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        SafetensorsWriter.Write(path, [new("fc.weight", "F32", [1], new byte[4])]);
        File.WriteAllText(Path.Combine(_dir, "config.json"), "{");
        var error = Assert.Throws<ScaleLabException>(() => CheckpointSummaryReader.Read(path));
        Assert.StartsWith($"{Path.Combine(_dir, "config.json")}: not valid JSON:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompressedTensors_PackedModuleWithoutAConfigGroup_NamesTheModule()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        SafetensorsWriter.Write(path, [new("fc.weight_packed", "I32", [1, 1], new byte[4]), new("fc.weight_scale", "F32", [1, 1], new byte[4]), new("fc.weight_shape", "I64", [2], new byte[16])]);
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"quantization_config":{"quant_method":"compressed-tensors","config_groups":{}}}""");
        var error = Assert.Throws<ScaleLabException>(() => CheckpointSummaryReader.Read(path));
        Assert.Equal($"{path}: compressed module 'fc' is invalid: no config group targets it", error.Message);
    }

    [Fact]
    public void PlainCheckpoint_WithAnUnrelatedConfig_IsNotCompressed()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        SafetensorsWriter.Write(path, [new("fc.weight", "F32", [2], new byte[8])]);
        File.WriteAllText(Path.Combine(_dir, "config.json"), """{"model_type":"bert"}""");
        var summary = CheckpointSummaryReader.Read(path);
        Assert.Null(summary.Compressed);
        Assert.Equal(2, summary.ModelParameters);
    }
}
