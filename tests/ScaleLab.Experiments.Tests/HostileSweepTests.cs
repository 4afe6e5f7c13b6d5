using ScaleLab.Experiments.Sweeps;

namespace ScaleLab.Experiments.Tests;

/// <summary>The prober's sweep files (issue 13): each refused while reading, before a trial is expanded or a folder written.</summary>
public sealed class HostileSweepTests
{
    private static string Error(string json) =>
        Assert.Throws<SweepException>(() => SweepSpecJson.Parse(json, "sweep.json", Path.GetTempPath())).Message;

    [Fact]
    public void Should_Reject_A_Depth_Of_One_Hundred_Million_Before_Expanding_It()
    {
        // Once: 7 GB and no output. Now refused at the value, with the cap named.
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal("sweep.json: axes.depth[0]: is 100000000; it must be an integer from 1 to 10000",
            Error("""{"model": "mlp-784-1000-500-250", "axes": {"depth": [100000000]}, "depth_block": [0, 2]}"""));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "reading the sweep allocated more than 64 MiB");
    }

    [Fact]
    public void Should_Reject_A_Grid_Of_More_Than_Ten_Thousand_Trials_Before_Building_It()
    {
        string values = string.Join(", ", Enumerable.Range(1, 200).Select(i => (i / 100.0).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("sweep.json: axes: the grid has more than 10000 trials (the product of the axis lengths); split the sweep or list the trials you want under 'trials'",
            Error($$$"""{"model": "mlp-784-1000-500-250", "axes": {"width": [{{{values}}}], "lr": [{{{values}}}]}}"""));
    }

    [Fact]
    public void Should_Reject_Repeats_That_Push_The_Trials_Past_The_Cap() =>
        Assert.Equal("sweep.json: repeats: 1000 repeats of 20 trials make more than 10000; use fewer repeats or trials",
            Error("""{"model": "mlp-784-1000-500-250", "repeats": 1000, "axes": {"width": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "lr": [0.1, 0.01]}}"""));

    [Theory]
    [InlineData("../../x")]
    [InlineData("..")]
    [InlineData("/etc")]
    [InlineData("a/b")]
    public void Should_Reject_A_Sweep_Name_That_Would_Leave_The_Sweeps_Folder(string name) =>
        Assert.StartsWith($"sweep.json: name: \"{name}\" cannot be a folder name (the sweep's results go to sweeps/NAME)",
            Error($$$"""{"name": "{{{name}}}", "model": "mlp-784-1000-500-250", "axes": {"width": [1]}}"""));

    [Fact]
    public void Should_Reject_A_Key_Given_Twice() =>
        Assert.StartsWith("sweep.json: not valid JSON", Error("""{"model": "mlp-784-1000-500-250", "axes": {"width": [1]}, "axes": {"width": [2]}}"""));

    [Fact]
    public void Should_Reject_A_Sweep_File_That_Is_Not_Utf8()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-sweep-{Guid.NewGuid():N}.json");
        File.WriteAllBytes(path, [.. "{\"name\": \""u8.ToArray(), 0xff, 0xfe, .. "\"}"u8.ToArray()]);
        try
        {
            var ex = Assert.ThrowsAny<ScaleLab.Core.ScaleLabException>(() => SweepSpecJson.Load(path));
            Assert.Equal($"{path}: is not valid UTF-8 (first bad byte at offset 10); save it as UTF-8", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
