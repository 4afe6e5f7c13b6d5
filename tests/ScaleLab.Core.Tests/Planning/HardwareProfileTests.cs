using ScaleLab.Core.Planning;

namespace ScaleLab.Core.Tests.Planning;

public class HardwareProfileTests
{
    private const string Valid = """
        { "name": "l40s", "memory_bytes": 48e9, "memory_bandwidth_bytes_per_second": 864e9,
          "peak_flops": { "fp32": 91.6e12, "bf16": 362.05e12 }, "source": "NVIDIA L40S datasheet" }
        """;

    [Fact]
    public void Catalog_HasTheSixGpusAndTheCpu() =>
        Assert.Equal(["a100-40gb", "a100-80gb", "h100-sxm", "h200", "l4", "rtx-4090", "cpu"], HardwareCatalog.BuiltIn.Select(p => p.Name));

    [Fact]
    public void Catalog_H100Sxm_IsTheDatasheetsDenseFigures()
    {
        var h100 = HardwareCatalog.Find("H100")!;
        Assert.Equal(("h100-sxm", 80_000_000_000L, 3.35e12), (h100.Name, h100.MemoryBytes, h100.MemoryBandwidthBytesPerSecond));
        Assert.Equal(989.5e12, h100.PeakFor(ComputeFormat.Bf16));   // 1,979 TFLOPS with sparsity, halved
        Assert.Equal(1979e12, h100.PeakFor(ComputeFormat.Fp8));
    }

    [Fact]
    public void Catalog_EveryProfileCitesItsSource() =>
        Assert.All(HardwareCatalog.BuiltIn, p => Assert.False(string.IsNullOrWhiteSpace(p.Source)));

    [Fact]
    public void Read_ValidProfile_KeepsEveryField()
    {
        var profile = HardwareProfileReader.Parse(Valid, "l40s.json");
        Assert.Equal(("l40s", 48_000_000_000L, 864e9, "NVIDIA L40S datasheet"), (profile.Name, profile.MemoryBytes, profile.MemoryBandwidthBytesPerSecond, profile.Source));
        Assert.Equal(new PeakFlops(91.6e12, null, null, 362.05e12, null, null), profile.Peak);
    }

    [Theory]
    [InlineData("{ \"name\": ", "hw.json: invalid JSON at line 1: ")]
    [InlineData("[1, 2]", "hw.json: a hardware profile must be a JSON object, got array")]
    [InlineData("{ \"name\": \"x\", \"memory_gb\": 80 }", "hw.json: unknown field 'memory_gb'; valid fields: name, description, memory_bytes, memory_bandwidth_bytes_per_second, peak_flops, interconnect_bytes_per_second, source")]
    [InlineData("{ \"memory_bytes\": 1 }", "hw.json: missing field 'name'; a profile needs name, memory_bytes, memory_bandwidth_bytes_per_second, peak_flops and source")]
    [InlineData("{ \"name\": 7 }", "hw.json: field 'name' must be a string, got number")]
    [InlineData("{ \"name\": \" \" }", "hw.json: field 'name' is empty")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": \"80GB\" }", "hw.json: field 'memory_bytes' must be a number, got string")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": -1 }", "hw.json: field 'memory_bytes' must be a positive number, got -1")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": 1.5 }", "hw.json: field 'memory_bytes' must be a whole number of bytes below 4.6e18, got 1.5")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": 1, \"memory_bandwidth_bytes_per_second\": 1 }", "hw.json: missing field 'peak_flops'; a profile needs name, memory_bytes, memory_bandwidth_bytes_per_second, peak_flops and source")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": 1, \"memory_bandwidth_bytes_per_second\": 1, \"peak_flops\": 5 }", "hw.json: field 'peak_flops' must be an object such as {\"bf16\": 312e12}, got number")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": 1, \"memory_bandwidth_bytes_per_second\": 1, \"peak_flops\": {} }", "hw.json: field 'peak_flops' gives no rate; give at least one, e.g. \"fp32\"")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": 1, \"memory_bandwidth_bytes_per_second\": 1, \"peak_flops\": { \"fp64\": 1 } }", "hw.json: unknown format 'peak_flops.fp64'; valid: fp32, tf32, fp16, bf16, fp8, int8")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": 1, \"memory_bandwidth_bytes_per_second\": 1, \"peak_flops\": { \"bf16\": 0 } }", "hw.json: field 'peak_flops.bf16' must be a positive number, got 0")]
    [InlineData("{ \"name\": \"x\", \"memory_bytes\": 1, \"memory_bandwidth_bytes_per_second\": 1, \"peak_flops\": { \"bf16\": 1 } }", "hw.json: missing field 'source'; a profile needs name, memory_bytes, memory_bandwidth_bytes_per_second, peak_flops and source")]
    public void Read_InvalidProfile_NamesTheFileFieldAndValue(string json, string expectedStart)
    {
        var error = Assert.Throws<HardwareProfileException>(() => HardwareProfileReader.Parse(json, "hw.json"));
        Assert.StartsWith(expectedStart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_Missing_SaysSo()
    {
        var error = Assert.Throws<HardwareProfileException>(() => HardwareProfileReader.ReadFile("/nonexistent/hw.json"));
        Assert.Equal("/nonexistent/hw.json: no such hardware profile file", error.Message);
    }

    [Fact]
    public void ReadFile_TooLarge_IsRefusedBeforeParsing()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-hw-{Guid.NewGuid():N}.json");
        try
        {
            using (var stream = File.Create(path)) stream.SetLength(HardwareProfileReader.MaxFileBytes + 1);
            var error = Assert.Throws<HardwareProfileException>(() => HardwareProfileReader.ReadFile(path));
            Assert.Equal($"{path}: 1048577 bytes is too large for a hardware profile (limit 1048576)", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadFile_Valid_RoundTripsThroughDisk()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-hw-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, Valid);
            Assert.Equal(HardwareProfileReader.Parse(Valid, path), HardwareProfileReader.ReadFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
