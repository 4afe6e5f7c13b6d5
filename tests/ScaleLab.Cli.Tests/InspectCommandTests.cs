using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ScaleLab.Core.Formats.Safetensors;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab inspect` end to end: the summary of a valid file, and one clear line with exit 1 for hostile ones.</summary>
public sealed class InspectCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scalelab-inspect-" + Guid.NewGuid().ToString("N"));

    public InspectCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string ValidFile()
    {
        string path = Path.Combine(_folder, "model.safetensors");
        SafetensorsWriter.Write(path, [
            new("model.embed_tokens.weight", "BF16", [8, 4], new byte[64]),
            new("model.layers.0.mlp.weight", "F32", [4, 4], new byte[64]),
            new("model.layers.1.mlp.weight", "F32", [4, 4], new byte[64]),
            new("model.norm.weight", "F32", [4], new byte[16]),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        return path;
    }

    private string Hostile(string header, long dataBytes, ulong? declared = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declared ?? (ulong)json.Length);
        json.CopyTo(file, 8);
        string path = Path.Combine(_folder, "hostile.safetensors");
        File.WriteAllBytes(path, file);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    [Fact]
    public void Inspect_ValidFile_PrintsDtypesMetadataAndLayers()
    {
        string path = ValidFile();
        var (code, output, error) = Run("inspect", path, "--tensors");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.StartsWith(path + "\nsafetensors · 1 file · ", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("4 tensors · 68 parameters (68) · 208 B of tensor data", output, StringComparison.Ordinal);
        Assert.Contains("Parameters by dtype", output, StringComparison.Ordinal);
        Assert.Contains("layers 0–1", output, StringComparison.Ordinal);
        Assert.Contains("format", output, StringComparison.Ordinal);
        Assert.Contains("[8, 4]", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_Json_HoldsRawCounts()
    {
        var (code, output, _) = Run("inspect", ValidFile(), "--json");
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(output).RootElement;
        SchemaValidation.AssertValid("inspect.schema.json", output);
        Assert.Equal("scalelab.inspect/3", root.GetProperty("schema").GetString());
        Assert.Equal(68, root.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal(208, root.GetProperty("tensor_bytes").GetInt64());
        Assert.Equal("pt", root.GetProperty("metadata").GetProperty("format").GetString());
        Assert.Equal(4, root.GetProperty("tensors").GetArrayLength());
    }

    [Fact]
    public void Inspect_RunForEstimate_WritesTheSameSummary()
    {
        using var writer = new StringWriter();
        Assert.Equal(0, Commands.InspectCommand.Run(ValidFile(), json: false, writer));
        Assert.Contains("68 parameters", writer.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", 1016, 9223372036854775807UL, "header length 9223372036854775807 exceeds the limit of 100000000 bytes")]
    [InlineData("{}", 1014, 2000UL, "header length 2000 exceeds the file (1024 bytes)")]
    [InlineData("{\"a\": [1,", 0, null, "header is not a JSON object: ")]
    [InlineData("{\"w\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16, null, "tensor 'w' has unknown dtype 'F128'; known: ")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4, null, "tensor 'w' shape [4294967296, 4294967296] overflows 64-bit element or byte counts")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20, null, "tensor 'w' is F32 [2, 3] = 24 bytes, but its data_offsets span 20 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, null, "tensors 'a' and 'b' overlap: 'a' ends at byte 8 but 'b' begins at byte 4")]
    [InlineData("{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4, null, "tensor 'w' data_offsets [4, 0] end before they begin")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 10, null, "tensor 'w' ends at byte 79, past the end of the file (73 bytes)")]
    public void Inspect_HostileSafetensors_PrintsOneLineAndExits1(string header, long dataBytes, ulong? declared, string problem)
    {
        string path = Hostile(header, dataBytes, declared);
        var (code, output, error) = Run("inspect", path);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith($"error: {path}: {problem}", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_TruncatedSafetensors_PrintsOneLineAndExits1()
    {
        string full = Path.Combine(_folder, "full.safetensors");
        SafetensorsWriter.Write(full, [new("w", "F32", [16], new byte[64])], null);
        byte[] bytes = File.ReadAllBytes(full);
        string path = Path.Combine(_folder, "cut.safetensors");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);

        var (code, _, error) = Run("inspect", path);

        Assert.Equal(1, code);
        Assert.Equal($"error: {path}: tensor 'w' ends at byte {bytes.Length}, past the end of the file ({bytes.Length - 10} bytes)", error.TrimEnd());
    }

    [Theory]
    [InlineData(new byte[] { (byte)'G', (byte)'G', (byte)'M', (byte)'L', 3, 0, 0, 0 }, "bad magic 0x47474D4C; a GGUF file starts with 0x47475546 (\"GGUF\")")]
    [InlineData(new byte[] { (byte)'G', (byte)'G', (byte)'U', (byte)'F', 1, 0, 0, 0 }, "unsupported GGUF version 1; supported: 2, 3")]
    public void Inspect_HostileGgufPreamble_PrintsOneLineAndExits1(byte[] preamble, string problem)
    {
        string path = Path.Combine(_folder, "bad.gguf");
        File.WriteAllBytes(path, [.. preamble, .. new byte[16]]);
        var (code, _, error) = Run("inspect", path);
        Assert.Equal(1, code);
        Assert.Equal($"error: {path}: {problem}", error.TrimEnd());
    }

    [Fact]
    public void Inspect_GgufWithAbsurdTensorCount_PrintsOneLineAndExits1()
    {
        var bytes = new byte[24];
        "GGUF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 3);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), ulong.MaxValue);
        string path = Path.Combine(_folder, "absurd.gguf");
        File.WriteAllBytes(path, bytes);

        var (code, _, error) = Run("inspect", path);

        Assert.Equal(1, code);
        Assert.Equal($"error: {path}: tensor count 18446744073709551615 exceeds the limit of 1000000", error.TrimEnd());
    }

    [Fact]
    public void Inspect_GgufWithAbsurdStringLength_PrintsOneLineAndExits1()
    {
        var bytes = new byte[40];
        "GGUF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 3);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), 1);               // one metadata entry
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), ulong.MaxValue);  // its key's length
        string path = Path.Combine(_folder, "string.gguf");
        File.WriteAllBytes(path, bytes);

        var (code, _, error) = Run("inspect", path);

        Assert.Equal(1, code);
        Assert.Equal($"error: {path}: metadata key #0 has length 18446744073709551615, above the limit of 16777216 bytes", error.TrimEnd());
    }

    [Fact]
    public void Inspect_MissingFile_PrintsOneLineAndExits1()
    {
        string path = Path.Combine(_folder, "nope.safetensors");
        var (code, _, error) = Run("inspect", path);
        Assert.Equal(1, code);
        Assert.Equal($"error: {path}: no such file or folder", error.TrimEnd());
    }
}
