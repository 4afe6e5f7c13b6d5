using ScaleLab.Core.Verification;

namespace ScaleLab.Core.Tests.Verification;

/// <summary>The hand-off of `verify --suite`'s per-model memory child: written on one line, read back checked.</summary>
public class MemoryMeasurementTests
{
    private static readonly MemoryMeasurement Sample = new(93_322,
        [new BatchMemorySamples(64, [18_063_360, 18_120_704]), new BatchMemorySamples(128, [34_865_152, 34_861_056])], 70_567_936, true, true, true);

    [Fact]
    public void ToJson_IsOneLine_AndParsesBackToTheSameFigures()
    {
        string json = Sample.ToJson();
        Assert.DoesNotContain('\n', json);
        Assert.StartsWith("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":93322,\"baseline_bytes\":70567936,", json, StringComparison.Ordinal);
        var back = MemoryMeasurement.Parse(json, "child");
        Assert.Equal(Sample.MeasuredParameters, back.MeasuredParameters);
        Assert.Equal(Sample.BaselineBytes, back.BaselineBytes);
        Assert.Equal((Sample.PeakReset, Sample.AllocatorPinned, Sample.FirstInProcess), (back.PeakReset, back.AllocatorPinned, back.FirstInProcess));
        Assert.Equal([18_063_360L, 18_120_704L], back.PeaksAt(64));
        Assert.Equal([34_865_152L, 34_861_056L], back.PeaksAt(128));
        Assert.Throws<ArgumentException>(() => back.PeaksAt(256));
    }

    [Theory]
    [InlineData("not json", "child: not a scalelab.verify-memory/1 document (")]
    [InlineData("", "child: not a scalelab.verify-memory/1 document (")]
    [InlineData("{\"schema\":\"scalelab.verify/2\",\"measured_parameters\":1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"first_in_process\":true,\"batches\":[{\"batch\":1,\"peak_bytes\":[1]}]}",
        "child: schema: 'scalelab.verify/2'; expected 'scalelab.verify-memory/1'")]
    [InlineData("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"batches\":[{\"batch\":1,\"peak_bytes\":[1]}]}",
        "child: not a scalelab.verify-memory/1 document (")]   // first_in_process missing
    [InlineData("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"first_in_process\":true,\"batches\":[]}",
        "child: batches: none; at least one batch size is measured")]
    [InlineData("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"first_in_process\":true,\"batches\":[{\"batch\":0,\"peak_bytes\":[1]}]}",
        "child: batches[0].batch: 0; it must be at least 1")]
    [InlineData("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"first_in_process\":true,\"batches\":[{\"batch\":4,\"peak_bytes\":[]}]}",
        "child: batches[0].peak_bytes: none; every batch has one peak per repeat")]
    [InlineData("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"first_in_process\":true,\"batches\":[{\"batch\":4,\"peak_bytes\":[5,-3]}]}",
        "child: batches[0].peak_bytes: -3; a peak above the baseline is 0 or more")]
    [InlineData("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"first_in_process\":true,\"batches\":[{\"batch\":4,\"peak_bytes\":[5]},{\"batch\":4,\"peak_bytes\":[6]}]}",
        "child: batches[1].batch: 4 appears twice")]
    [InlineData("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":-1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"first_in_process\":true,\"batches\":[{\"batch\":4,\"peak_bytes\":[5]}]}",
        "child: measured_parameters: -1; it must be 0 or more")]
    [InlineData("{\"schema\":\"scalelab.verify-memory/1\",\"measured_parameters\":1,\"baseline_bytes\":1,\"peak_reset\":true,\"allocator_pinned\":true,\"first_in_process\":true,\"extra\":1,\"batches\":[{\"batch\":4,\"peak_bytes\":[5]}]}",
        "child: not a scalelab.verify-memory/1 document (")]
    public void Parse_RefusesAForeignOrIncompleteDocument_InOneLine(string text, string expected)
    {
        var ex = Assert.Throws<ScaleLabException>(() => MemoryMeasurement.Parse(text, "child"));
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
