using ScaleLab.Core.Accounting;
using ScaleLab.Core.Formats.Gguf;
using ScaleLab.Core.Formats.Safetensors;
using ScaleLab.Core.Import.HuggingFace;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Scaling;
using ScaleLab.Core.Spec;
using ScaleLab.Fuzz;
using Xunit.Abstractions;

namespace ScaleLab.Core.Tests.Formats;

/// <summary>
/// Core's input formats through <see cref="FuzzHarness"/> (CsCheck-generated edits of a valid file, shrinking, a
/// per-case time limit and memory bound): checkpoint headers, model specs, Hugging Face configs, sharded indexes and
/// scaling CSVs. Every case must be accepted or refused with a ScaleLabException. Counts go to the test log.
/// </summary>
public sealed class FormatFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Fuzz_Safetensors_OnlyEverThrowsFormatExceptions()
    {
        string seedPath = _folder.File("seed.safetensors");
        SafetensorsWriter.Write(seedPath, [
            new SafetensorsTensor("model.layers.0.weight", "F32", [3, 4], new byte[48]),
            new SafetensorsTensor("model.layers.0.bias", "BF16", [4], new byte[8]),
            new SafetensorsTensor("lm_head.weight", "I8", [2, 5], new byte[10]),
        ], new Dictionary<string, string> { ["format"] = "pt" });
        int n = FuzzHarness.Run("safetensors", File.ReadAllBytes(seedPath), bytes => SafetensorsReader.ReadHeader(Write("fuzz.safetensors", bytes)), 3000);
        output.WriteLine($"safetensors: {n} cases");
    }

    [Fact]
    public void Fuzz_Gguf_OnlyEverThrowsFormatExceptions()
    {
        byte[] seed = new GgufBuilder()
            .String("general.architecture", "llama")
            .UInt32("llama.block_count", 1)
            .Add("tokenizer.ggml.tokens", GgufValueType.Array, w =>
            {
                w.Write((uint)GgufValueType.String);
                w.Write(2UL);
                GgufBuilder.WriteString(w, "a");
                GgufBuilder.WriteString(w, "b");
            })
            .Tensor("token_embd.weight", GgmlType.Q8_0, 32, 2)
            .Tensor("blk.0.attn_q.weight", GgmlType.F16, 4, 4)
            .Build();
        int n = FuzzHarness.Run("gguf", seed, bytes => GgufReader.ReadHeader(Write("fuzz.gguf", bytes)), 3000);
        output.WriteLine($"gguf: {n} cases");
    }

    [Fact]
    public void Fuzz_ModelSpec_ParsesAndCountsOrRefuses()
    {
        // A layer stack and a current transformer: parse, then count (the counts are where overflow would show).
        foreach (string preset in new[] { "keras-mnist-cnn", "deepseek-v2-lite" })
        {
            int n = FuzzHarness.RunText("spec", ModelPresets.Json(preset), bytes =>
                ModelAccounting.Account(ModelSpecJson.Parse(StrictText.Decode(bytes, "spec.json"), "spec.json"), 16), 1500);
            output.WriteLine($"spec ({preset}): {n} cases");
        }
    }

    [Fact]
    public void Fuzz_HuggingFaceConfig_ImportsAndCountsOrRefuses()
    {
        foreach (string model in new[] { "DeepSeek-V3", "gpt-oss-20b" })
        {
            string seed = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", model, "config.json"));
            int n = FuzzHarness.RunText("hf-config", seed, bytes =>
                ModelAccounting.Account(HfConfigImporter.Parse(StrictText.Decode(bytes, "config.json"), "config.json", "m"), 16), 1500);
            output.WriteLine($"hf-config ({model}): {n} cases");
        }
    }

    [Fact]
    public void Fuzz_SafetensorsIndex_OnlyEverThrowsFormatExceptions()
    {
        SafetensorsWriter.Write(_folder.File("model-00001-of-00001.safetensors"), [new SafetensorsTensor("w", "F32", [2, 2], new byte[16])], null);
        string seed = """{"metadata": {"total_size": 16}, "weight_map": {"w": "model-00001-of-00001.safetensors"}}""";
        int n = FuzzHarness.RunText("safetensors-index", seed, bytes => SafetensorsIndexReader.Read(Write("model.safetensors.index.json", bytes)), 1500);
        output.WriteLine($"safetensors-index: {n} cases");
    }

    [Fact]
    public void Fuzz_ScalingCsv_OnlyEverThrowsScaleLabExceptions()
    {
        const string seed = "model,parameters,tokens,loss\na,1e7,1e9,3.5\nb,2e7,2e9,3.1\nc,4e7,4e9,2.9\n";
        int n = FuzzHarness.RunText("scaling-csv", seed, bytes => ScalingCsv.Read(Write("points.csv", bytes)), 1500);
        output.WriteLine($"scaling-csv: {n} cases");
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
