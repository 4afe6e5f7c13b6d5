using ScaleLab.Core.Accounting;
using ScaleLab.Core.Formats.Safetensors;
using ScaleLab.Core.Presets;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>Amplification and fault cases outside the single-file readers (issue 13): each bounded before work is done.</summary>
public sealed class HostileInputTests
{
    [Fact]
    public void Index_WithShardsDeclaringTooManyHeaderBytesInTotal_IsRefusedBeforeParsingAny()
    {
        // Three shards each declaring a 100,000,000-byte header (each under the per-file cap, together over 256 MiB):
        // only their 8-byte prefixes are read before the refusal.
        string folder = Path.Combine(Path.GetTempPath(), $"scalelab-shards-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var map = new List<string>();
            for (int i = 0; i < 3; i++)
            {
                string shard = $"model-{i}.safetensors";
                File.WriteAllBytes(Path.Combine(folder, shard), BitConverter.GetBytes(100_000_000L));
                map.Add($"\"t{i}\": \"{shard}\"");
            }
            string index = Path.Combine(folder, "model.safetensors.index.json");
            File.WriteAllText(index, "{\"metadata\": {}, \"weight_map\": {" + string.Join(", ", map) + "}}");
            long before = GC.GetAllocatedBytesForCurrentThread();
            var ex = Assert.Throws<TotalHeaderTooLargeException>(() => SafetensorsIndexReader.Read(index));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1L << 20, "refusing the index allocated more than 1 MiB");
            Assert.Equal($"{index}: its 3 shards declare 300000000 header bytes together, above the limit of 268435456", ex.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Estimate_WithAHugeBatch_NamesTheOptionAndTheLimit()
    {
        var ex = Assert.Throws<ScaleLabException>(() => EstimateReport.Create(ModelPresets.Load("gpt2-small"), new EstimateOptions(Batch: 1L << 40)));
        Assert.Equal("--batch 1099511627776: at most 1073741824 samples per step are accepted", ex.Message);
    }

    [Fact]
    public void Estimate_WithABatchWhoseBytesOverflow_NamesBatchAndSequence()
    {
        var ex = Assert.Throws<ScaleLabException>(() => EstimateReport.Create(ModelPresets.Load("deepseek-v3"), new EstimateOptions(Batch: 1L << 30, SequenceLength: 163_840)));
        Assert.StartsWith("--batch 1073741824 with 163840 tokens per sample makes deepseek-v3's memory or FLOP figures exceed 64 bits", ex.Message);
    }

    [Fact]
    public void InputFile_Refuses_A_Device()
    {
        var ex = Assert.Throws<ScaleLabException>(() => InputFile.RequireRegular("/dev/zero"));
        Assert.Equal("/dev/zero: is not a regular file (a pipe, socket or device); give a file", ex.Message);
    }

    [Fact]
    public void InputFile_Refuses_A_Fifo_Without_Blocking()
    {
        string fifo = Path.Combine(Path.GetTempPath(), $"scalelab-fifo-{Guid.NewGuid():N}");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        try
        {
            var ex = Assert.Throws<ScaleLabException>(() => ScaleLab.Core.Import.HuggingFace.HfConfigImporter.Import(fifo));
            Assert.Equal($"{fifo}: is not a regular file (a pipe, socket or device); give a file", ex.Message);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public void OutputFolder_ThatIsAFile_IsRefusedByName()
    {
        string file = Path.GetTempFileName();
        try
        {
            var ex = Assert.Throws<ScaleLabException>(() => OutputFolder.Prepare(file, "--out"));
            Assert.Equal($"--out {file}: is a file; give a folder (it will be created if missing)", ex.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void OutputFolder_OnAReadOnlyMount_SaysWhyAndWhatToDo()
    {
        // /proc is read-only for everyone, root included: the probe write fails as on a read-only disk.
        var ex = Assert.Throws<ScaleLabException>(() => OutputFolder.Prepare("/proc/scalelab-out", "--out"));
        Assert.StartsWith("--out /proc/scalelab-out: cannot write there (", ex.Message);
        Assert.EndsWith("); choose a folder you can write to, on a disk with free space", ex.Message);
    }

    [Theory]
    [InlineData("../../x", false)]
    [InlineData(".hidden", false)]
    [InlineData("mlp-width_2.0", true)]
    public void PathName_IsSafe_OnlyForNamesThatStayInTheirFolder(string name, bool safe) =>
        Assert.Equal(safe, PathName.IsSafe(name));

    [Fact]
    public void PathName_Sanitize_KeepsAnyTextInsideItsFolder() =>
        Assert.Equal("_.-meta-llama-Llama-2", PathName.Sanitize("../meta-llama/Llama-2"));
}
