using System.Text.Json;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab estimate` end to end through CliApp: exit codes, the human table, the JSON contract, one-line errors.</summary>
public class EstimateCommandTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static JsonElement Json(params string[] args)
    {
        var (code, output, error) = Run([.. args, "--json"]);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public void Estimate_SeedMlp_PrintsExactAndHumanFiguresWithTheConvention()
    {
        var (code, output, _) = Run("estimate", "mlp-784-1000-500-250");
        Assert.Equal(0, code);
        Assert.Contains("1,410,750", output, StringComparison.Ordinal);
        Assert.Contains("1.41 M", output, StringComparison.Ordinal);
        Assert.Contains("1 MAC = 2 FLOPs", output, StringComparison.Ordinal);
        Assert.Contains("6·N·D", output, StringComparison.Ordinal);
        Assert.Contains("5.38 MiB", output, StringComparison.Ordinal);   // fp32 weights on disk
    }

    [Fact]
    public void Estimate_Json_HoldsTheDocumentedFields()
    {
        var j = Json("estimate", "mlp-784-1000-500-250", "--batch", "32");
        Assert.Equal("scalelab.estimate/1", j.GetProperty("schema").GetString());
        Assert.Equal(1_410_750, j.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal(1_410_750, j.GetProperty("parameters").GetProperty("trainable").GetInt64());
        Assert.Equal(1_410_750, j.GetProperty("parameters").GetProperty("active").GetInt64());
        Assert.Equal(2_818_000, j.GetProperty("flops").GetProperty("forward").GetInt64());
        Assert.Equal(3 * 2_818_000, j.GetProperty("flops").GetProperty("training").GetInt64());
        Assert.Equal(6 * 1_410_750, j.GetProperty("flops").GetProperty("six_n_d").GetInt64());
        var training = j.GetProperty("memory").GetProperty("training_bytes");
        Assert.Equal(16 * 1_410_750 + 3_784 * 32 * 4, training.GetProperty("total").GetInt64());
        long sum = new[] { "weights", "gradients", "optimizer", "master_weights", "activations", "buffers" }.Sum(k => training.GetProperty(k).GetInt64());
        Assert.Equal(training.GetProperty("total").GetInt64(), sum);
        Assert.Equal(0, j.GetProperty("memory").GetProperty("inference_bytes").GetProperty("kv_cache").GetInt64());
        Assert.Equal(705_375, j.GetProperty("disk_bytes").GetProperty("int4").GetInt64());
        Assert.Equal(["fp32", "fp16", "bf16", "fp8", "int8", "int4"], j.GetProperty("disk_bytes").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Estimate_MixedPrecisionAdam_Reports16BytesOfModelStatePerParameter()
    {
        var t = Json("estimate", "lenet-300-100", "--mixed-precision", "--optimizer", "adamw").GetProperty("memory").GetProperty("training_bytes");
        long state = t.GetProperty("weights").GetInt64() + t.GetProperty("gradients").GetInt64() + t.GetProperty("master_weights").GetInt64() + t.GetProperty("optimizer").GetInt64();
        Assert.Equal(16 * 266_610, state);
    }

    /// <summary>Issue 9: estimate takes every optimizer train runs; rmsprop keeps one square average per parameter (torch.optim.RMSprop).</summary>
    [Theory]
    [InlineData("rmsprop", 4)]
    [InlineData("rmsprop_momentum", 8)]
    [InlineData("sgd_momentum", 4)]
    public void Estimate_TakesTheOptimizersTrainRuns(string optimizer, long stateBytesPerParameter)
    {
        var j = Json("estimate", "lenet-300-100", "--optimizer", optimizer);
        Assert.Equal(optimizer, j.GetProperty("settings").GetProperty("optimizer").GetString());
        Assert.Equal(stateBytesPerParameter * 266_610, j.GetProperty("memory").GetProperty("training_bytes").GetProperty("optimizer").GetInt64());
    }

    [Fact]
    public void Estimate_Gpt2Small_ShowsCausalAttentionBesideTheFullFigure()
    {
        var (code, output, _) = Run("estimate", "gpt2-small");
        Assert.Equal(0, code);
        Assert.Contains("attention QKᵀ + AV (full)", output, StringComparison.Ordinal);
        Assert.Contains("attention QKᵀ + AV (causal)", output, StringComparison.Ordinal);
        Assert.Contains("KV cache", output, StringComparison.Ordinal);
        var flops = Json("estimate", "gpt2-small").GetProperty("flops");
        long full = flops.GetProperty("attention").GetInt64();
        // (S+1)/(2S) of the full score FLOPs at S = 1024.
        Assert.Equal((long)Math.Round(full * 1025 / 2048.0), flops.GetProperty("attention_causal").GetInt64());
    }

    [Fact]
    public void Estimate_Gpt2Small_KvCacheAt1024TokensFp16()
    {
        var j = Json("estimate", "gpt2-small", "--precision", "fp16", "--seq", "1024");
        Assert.Equal(2L * 12 * 12 * 64 * 1024 * 2, j.GetProperty("memory").GetProperty("inference_bytes").GetProperty("kv_cache").GetInt64());
        Assert.Equal(1024, j.GetProperty("settings").GetProperty("sequence_length").GetInt64());
    }

    [Theory]
    [InlineData("resnet-18")]
    [InlineData("mixtral-8x7b")]
    [InlineData("deepseek-v3")]
    [InlineData("gpt-oss-20b")]
    [InlineData("llama-4-scout-17b-16e")]
    public void Estimate_Json_ValidatesAgainstItsSchema(string preset)
    {
        var (code, output, _) = Run("estimate", preset, "--json");
        Assert.Equal(0, code);
        SchemaValidation.AssertValid("estimate.schema.json", output);
    }

    [Fact]
    public void Estimate_List_ShowsFamilyTotalAndActiveForEveryPreset()
    {
        var (code, output, _) = Run("estimate", "--list");
        Assert.Equal(0, code);
        Assert.Contains("decoder · MLA · SwiGLU · MoE 256+1 top-8", output, StringComparison.Ordinal);
        var (jsonCode, json, _) = Run("estimate", "--list", "--json");
        Assert.Equal(0, jsonCode);
        SchemaValidation.AssertValid("presets.schema.json", json);
        using var doc = JsonDocument.Parse(json);
        var presets = doc.RootElement.GetProperty("presets").EnumerateArray().ToList();
        Assert.Equal(Core.Presets.ModelPresets.Names.Count, presets.Count);
        var qwen = presets.Single(p => p.GetProperty("name").GetString() == "qwen3-30b-a3b").GetProperty("parameters");
        Assert.Equal(30_532_122_624, qwen.GetProperty("total").GetInt64());
        Assert.Equal(3_353_032_704, qwen.GetProperty("active").GetInt64());
    }

    [Fact]
    public void Estimate_DeepSeekV3_ReportsMtpApartAndTheLatentKvCache()
    {
        var j = Json("estimate", "deepseek-v3", "--precision", "bf16", "--seq", "4096");
        var p = j.GetProperty("parameters");
        Assert.Equal(671_026_404_352, p.GetProperty("total").GetInt64());
        Assert.Equal(13_463_426_048, p.GetProperty("prediction_layers").GetInt64());
        Assert.Equal(36_625_603_584, p.GetProperty("active_without_embedding").GetInt64());
        // MLA caches kv_lora_rank + qk_rope_head_dim = 576 elements per token and layer: 61 · 576 · 4096 · 2 bytes.
        var kv = j.GetProperty("kv_cache");
        Assert.Equal(61L * 576 * 4096 * 2, kv.GetProperty("bytes_per_sequence").GetInt64());
        Assert.Equal("latent (MLA)", kv.GetProperty("groups")[0].GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData("resnet-18")]
    [InlineData("mixtral-8x7b")]
    public void Estimate_Json_HasExactlyTheFieldsTheSchemaDocuments(string preset)
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "docs", "schemas", "estimate.schema.json")));
        AssertMatches(schema.RootElement, Json("estimate", preset), "$");
    }

    [Fact]
    public void Estimate_BertBase_HasNoCausalDiscount()
    {
        var flops = Json("estimate", "bert-base-uncased").GetProperty("flops");
        Assert.True(flops.GetProperty("attention").GetInt64() > 0);
        Assert.Equal(flops.GetProperty("attention").GetInt64(), flops.GetProperty("attention_causal").GetInt64());
        Assert.Equal(flops.GetProperty("forward").GetInt64(), flops.GetProperty("forward_causal").GetInt64());
    }

    [Fact]
    public void Estimate_NoTarget_ComparesEveryPreset()
    {
        var (code, output, _) = Run("estimate");
        Assert.Equal(0, code);
        foreach (string name in Core.Presets.ModelPresets.Names) Assert.Contains(name, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_AllJson_IsOneDocumentWithOneEstimatePerPreset()
    {
        var all = Json("estimate", "--all");
        Assert.Equal("scalelab.estimates/1", all.GetProperty("schema").GetString());
        Assert.Equal(Core.Presets.ModelPresets.Names.Count, all.GetProperty("estimates").GetArrayLength());
        SchemaValidation.AssertValid("estimates.schema.json", all.GetRawText());
        foreach (var one in all.GetProperty("estimates").EnumerateArray().Take(5)) SchemaValidation.AssertValid("estimate.schema.json", one.GetRawText());
    }

    [Fact]
    public void Estimate_SpecFile_ReadsIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-cli-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"name": "tiny", "input": [10], "layers": [{"type": "linear", "units": 100}, {"type": "relu"}, {"type": "linear", "units": 1}]}""");
        try
        {
            Assert.Equal(1_201, Json("estimate", path).GetProperty("parameters").GetProperty("total").GetInt64());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Estimate_SafetensorsFile_DelegatesToInspect()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-{Guid.NewGuid():N}.safetensors");
        // One F32 tensor of shape (2, 3): an 8-byte little-endian header length, the JSON header, 24 bytes of data.
        byte[] header = System.Text.Encoding.UTF8.GetBytes("""{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}""");
        using (var file = File.Create(path))
        {
            file.Write(BitConverter.GetBytes((long)header.Length));
            file.Write(header);
            file.Write(new byte[24]);
        }
        try
        {
            var estimate = Run("estimate", path, "--json");
            var inspect = Run("inspect", path, "--json");
            Assert.True(estimate.Code == 0, estimate.Err);
            Assert.Equal(inspect.Out, estimate.Out);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Should_Exit1_With_One_Line_Naming_File_Field_And_Value_For_A_Bad_Spec()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"name": "bad", "input": [1, 3, 3], "layers": [{"type": "conv2d", "filters": 4, "kernel": 5}]}""");
        try
        {
            var (code, output, error) = Run("estimate", path);
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Equal($"error: {Path.GetFileName(path)}: layers[0] (conv2d): kernel 5 is larger than its 3x3 input{Environment.NewLine}", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Should_Exit1_For_An_Unknown_Preset()
    {
        var (code, _, error) = Run("estimate", "resnet-19");
        Assert.Equal(1, code);
        Assert.StartsWith("error: unknown preset 'resnet-19'; presets: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Exit1_For_An_Unknown_Precision()
    {
        var (code, _, error) = Run("estimate", "lenet-5", "--precision", "fp12");
        Assert.Equal(1, code);
        Assert.Equal("error: --precision 'fp12': unknown precision; valid: fp32, fp16, bf16, fp8, int8, int4" + Environment.NewLine, error);
    }

    [Fact]
    public void Should_Exit1_For_An_Unknown_Optimizer()
    {
        var (code, _, error) = Run("estimate", "lenet-5", "--optimizer", "lion");
        Assert.Equal(1, code);
        Assert.Equal("error: --optimizer 'lion' is not an optimizer; use sgd, sgd_momentum, adam, adamw, adam8bit, rmsprop or rmsprop_momentum" + Environment.NewLine, error);
    }

    [Fact]
    public void Should_Exit1_For_A_Zero_Batch()
    {
        var (code, _, error) = Run("estimate", "lenet-5", "--batch", "0");
        Assert.Equal(1, code);
        Assert.Equal("error: --batch 0: it must be at least 1" + Environment.NewLine, error);
    }

    [Fact]
    public void Should_Exit1_For_A_Target_With_All()
    {
        var (code, _, error) = Run("estimate", "lenet-5", "--all");
        Assert.Equal(1, code);
        Assert.Equal("error: give either a TARGET or --all, not both" + Environment.NewLine, error);
    }

    [Fact]
    public void Should_Fail_For_A_Batch_That_Is_Not_A_Number() => Assert.NotEqual(0, Run("estimate", "lenet-5", "--batch", "many").Code);

    /// <summary>Every object in the output has exactly the schema's required properties, recursively.</summary>
    private static void AssertMatches(JsonElement schema, JsonElement value, string path)
    {
        if (!schema.TryGetProperty("properties", out var properties)) return;
        // Every required field present, nothing the schema does not document; optional objects (kv_cache) checked when present.
        var documented = properties.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        var actual = value.EnumerateObject().Select(p => p.Name).ToList();
        Assert.True(required.All(actual.Contains), $"{path}: output lacks [{string.Join(", ", required.Except(actual))}]");
        Assert.True(actual.All(documented.Contains), $"{path}: the schema does not document [{string.Join(", ", actual.Except(documented))}]");
        foreach (var p in properties.EnumerateObject())
        {
            if (value.TryGetProperty(p.Name, out var child)) AssertMatches(p.Value, child, path + "." + p.Name);
        }
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}

public class SchemaValidationTests
{
    [Fact]
    public void SchemaValidation_RejectsADocumentWithoutTheRequiredFields() =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SchemaValidation.AssertValid("estimate.schema.json", """{"schema": "scalelab.estimate/1"}"""));
}
