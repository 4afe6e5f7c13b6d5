using ScaleLab.Core.Data;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Spec;
using ScaleLab.Fuzz;
using ScaleLab.Torch.Checkpoints;
using ScaleLab.Torch.Compression;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Runs;
using ScaleLab.Torch.Training;
using Xunit.Abstractions;

namespace ScaleLab.Torch.Tests.Data;

/// <summary>
/// The engine's input formats through <see cref="FuzzHarness"/>: training configs, IDX (raw and gzip), CSV data,
/// text corpora, compressed model files and checkpoints. Accepted, or refused with a ScaleLabException; bounded.
/// </summary>
[Collection(Training.SerialTorchCollection.Name)]
public sealed class InputFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"scalelab-fuzz-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private string Write(string name, byte[] bytes)
    {
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Fuzz_TrainingConfig_ParsesOrRefuses()
    {
        string seed = File.ReadAllText(Path.Combine(RepoRoot(), "examples", "train", "mlp-fashion-mnist.json"));
        int n = FuzzHarness.RunText("training-config", seed, bytes => TrainingConfigJson.Parse(Core.StrictText.Decode(bytes, "config.json"), "config.json"), 1500);
        output.WriteLine($"training-config: {n} cases");
    }

    [Fact]
    public void Fuzz_Idx_RawAndGzip_ReadOrRefuse()
    {
        int raw = FuzzHarness.Run("idx", IdxBytes.Images(3), bytes => IdxFile.Read(Write("images-idx3-ubyte", bytes)), 1500);
        int gz = FuzzHarness.Run("idx-gz", IdxBytes.Gzip(IdxBytes.Images(3)), bytes => IdxFile.Read(Write("images-idx3-ubyte.gz", bytes)), 1500);
        output.WriteLine($"idx: {raw} raw cases, {gz} gzip cases");
    }

    [Fact]
    public void Fuzz_CsvData_LoadsOrRefuses()
    {
        const string seed = "a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,10,x\n";
        int n = FuzzHarness.RunText("csv", seed, bytes =>
        {
            using var bundle = CsvData.Load(new CsvSource(Write("data.csv", bytes), null, null), new DataRequest(DataSource.Default, null, Limit: 3));
        }, 1000);
        output.WriteLine($"csv: {n} cases");
    }

    [Fact]
    public void Fuzz_TextCorpus_LoadsOrRefuses()
    {
        byte[] seed = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("hello world, a tiny corpus for a character model.\n", 4)));
        int n = FuzzHarness.Run("text", seed, bytes =>
        {
            using var bundle = TextCorpus.Load(Write("corpus.txt", bytes), new DataRequest(DataSource.Default, null, SequenceLength: 8));
        }, 1000);
        output.WriteLine($"text: {n} cases");
    }

    [Fact]
    public void Fuzz_CompressedModelFile_ReadsOrRefuses()
    {
        string seed = Path.Combine(_folder, "seed.safetensors");
        Directory.CreateDirectory(_folder);
        float[] values = [.. Enumerable.Range(0, 16).Select(i => (i % 5) - 2f)];
        CompressedModelFile.Write(seed, [
            new("w8", [4, 4], values, TensorEncoding.Int8),
            new("w4", [4, 4], values, TensorEncoding.Int4, GroupSize: 8),
            new("ws", [4, 4], values, TensorEncoding.Sparse),
        ], """{"name": "m", "input": [4], "layers": [{"type": "linear", "units": 4}]}""");
        int n = FuzzHarness.Run("compressed", File.ReadAllBytes(seed), bytes => CompressedModelFile.Read(Write("model.safetensors", bytes)), 1500);
        output.WriteLine($"compressed: {n} cases");
    }

    [Fact]
    public void Fuzz_Checkpoint_LoadsOrRefuses()
    {
        // A real checkpoint of a tiny spec: its weights file mutated, loaded into the model it was written for.
        var spec = new ModelSpec { Name = "m", Input = Shape.Of(4), Layers = [new LinearLayer(3)] };
        using var model = ScaleLab.Torch.Building.ModuleBuilder.Build(spec);
        string seed = Path.Combine(_folder, "seed.safetensors");
        Directory.CreateDirectory(_folder);
        ModelWeights.Save(model, seed);
        int n = FuzzHarness.Run("checkpoint", File.ReadAllBytes(seed), bytes => ModelWeights.Load(model, Write("last.safetensors", bytes)), 1500);
        output.WriteLine($"checkpoint: {n} cases");
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
}

/// <summary>The prober's amplification cases for the data readers, measured alone (process memory is shared state).</summary>
[Collection(Training.SerialTorchCollection.Name)]
public sealed class DataAmplificationTests
{
    [Fact]
    public void Csv_WithLimit10_ReadsOnlyTheRowsItNeeds()
    {
        // A 64 MB CSV once reached 2.9 GB under --limit 10; now 5·10 rows are read and the rest never touched.
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-big-{Guid.NewGuid():N}.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine("a,b,c,d,label");
            var line = "1.25,2.5,3.75,4.5,";
            for (int i = 0; i < 3_200_000; i++) writer.WriteLine(line + (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        try
        {
            Assert.True(new FileInfo(path).Length > 60L << 20);
            GC.Collect();
            long before = GC.GetAllocatedBytesForCurrentThread();
            using (var bundle = CsvData.Load(new CsvSource(path, null, null), new DataRequest(DataSource.Default, null, Limit: 10)))
            {
                Assert.Equal((10L, 10L), (bundle.Train.Count + bundle.Validation.Count, bundle.Test.Count));
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 16L << 20, $"allocated {allocated} bytes for --limit 10 of a 64 MB CSV");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
