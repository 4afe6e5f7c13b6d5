using System.Text.Json;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// `estimate` and `plan` with --finetune: PEFT's trainable counts for Llama-2-7B (r = 8 on q_proj, v_proj: "trainable
/// params: 4,194,304 || all params: 6,742,609,920"; r = 16 on all linear layers: 39,976,960 of 6,778,392,576), and the
/// QLoRA plan on an RTX 4090 by category, each against its hand formula (FineTuneMemoryTests derives them).
/// </summary>
public class FineTuneCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    private static JsonElement Json(int expectedCode, params string[] args) => PlanDefaultsCommandTests.Json(expectedCode, args);

    [Fact]
    public void Estimate_Llama2_7B_Lora_Rank8_QV_ReportsPeftsTrainableCount()
    {
        var p = Json(0, "estimate", "llama-2-7b", "--finetune", "lora", "--lora-rank", "8", "--lora-targets", "q,v").GetProperty("parameters");
        Assert.Equal(4_194_304, p.GetProperty("trainable").GetInt64());
        Assert.Equal(6_742_609_920, p.GetProperty("total").GetInt64());
        Assert.Equal(6_738_415_616, p.GetProperty("non_trainable").GetInt64());
    }

    [Fact]
    public void Estimate_Llama2_7B_Lora_Rank16_AllLinear_ReportsPeftsTrainableCount()
    {
        var j = Json(0, "estimate", "llama-2-7b", "--finetune", "lora", "--lora-rank", "16", "--lora-targets", "all-linear");
        Assert.Equal(39_976_960, j.GetProperty("parameters").GetProperty("trainable").GetInt64());
        Assert.Equal(6_778_392_576, j.GetProperty("parameters").GetProperty("total").GetInt64());
        var lora = j.GetProperty("settings").GetProperty("lora");
        Assert.Equal(("all-linear", 16, 16.0), (lora.GetProperty("targets").GetString(), lora.GetProperty("rank").GetInt32(), lora.GetProperty("alpha").GetDouble()));
    }

    [Fact]
    public void Estimate_FineTuneJson_HasExactlyTheFieldsTheSchemaDocuments()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "docs", "schemas", "estimate.schema.json")));
        Assert.Null(JsonSchemaCheck.Problem(schema.RootElement, Json(0, "estimate", "llama-2-7b", "--finetune", "qlora")));
        Assert.Null(JsonSchemaCheck.Problem(schema.RootElement, Json(0, "estimate", "llama-2-7b")));
    }

    [Fact]
    public void PlanQLora_Llama2_7B_OnRtx4090_GivesEachCategoryAndTheVerdict()
    {
        var j = Json(0, "plan", "llama-2-7b", "--finetune", "qlora", "--hardware", "rtx-4090");
        PlanDefaultsCommandTests.AssertValid(j);
        var ft = j.GetProperty("finetune");
        Assert.Equal("qlora", ft.GetProperty("method").GetString());
        Assert.Equal(4_194_304, ft.GetProperty("parameters").GetProperty("trainable").GetInt64());
        Assert.Equal(6_742_609_920, ft.GetProperty("parameters").GetProperty("total").GetInt64());
        var b = ft.GetProperty("memory").GetProperty("per_gpu_bytes");
        const long s = 4096, d = 4096, v = 32_000;
        Assert.Equal(3_865_591_808, b.GetProperty("frozen_weights").GetInt64());                 // NF4 block matrices + bf16 rest
        Assert.Equal(4 * 4_194_304, b.GetProperty("trainable_weights").GetInt64());              // fp32 adapters
        Assert.Equal(4 * 4_194_304, b.GetProperty("gradients").GetInt64());
        Assert.Equal(8 * 4_194_304, b.GetProperty("optimizer_state").GetInt64());
        Assert.Equal((32 * 2 * s * d) + (2 * 2 * s * d) + (4 * s * v), b.GetProperty("activations").GetInt64());   // checkpointed: layer inputs + output layer
        Assert.Equal(0, b.GetProperty("adapter_activations").GetInt64());
        long total = 3_865_591_808 + (16 * 4_194_304) + (32 * 2 * s * d) + (2 * 2 * s * d) + (4 * s * v);
        Assert.Equal(total, b.GetProperty("total").GetInt64());
        Assert.Equal(total, j.GetProperty("memory_per_gpu").GetProperty("total_bytes").GetInt64());
        Assert.Equal("full", j.GetProperty("setup").GetProperty("recompute").GetString());    // QLoRA recipes checkpoint
        Assert.Equal("fits on rtx-4090 with 1 GPU: uses 5.21 GiB of 22.35 GiB per GPU", j.GetProperty("verdict").GetString());
    }

    [Fact]
    public void PlanQLora_Table_NamesEveryCategory()
    {
        var (code, output, _) = Run("plan", "llama-2-7b", "--finetune", "qlora", "--hardware", "rtx-4090");
        Assert.Equal(0, code);
        Assert.Contains("parameters: 4,194,304 trainable of 6,742,609,920 (0.0622%); LoRA r 8 on q,v", output, StringComparison.Ordinal);
        foreach (string row in new[] { "frozen base", "LoRA adapters", "adapter gradients", "optimizer state", "adapter activations" })
            Assert.Contains($"│ {row}", output, StringComparison.Ordinal);
        Assert.Contains("verdict: fits on rtx-4090 with 1 GPU: uses 5.21 GiB of 22.35 GiB per GPU", output, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanLora_WithoutCheckpointing_OnRtx4090_DoesNotFit_AndSaysWhatWould()
    {
        var (code, output, _) = Run("plan", "llama-2-7b", "--finetune", "lora", "--hardware", "rtx-4090", "--recompute", "none");
        Assert.Equal(1, code);
        Assert.Contains("verdict: does not fit on rtx-4090 with 1 GPU", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "plan", "llama-2-7b", "--finetune", "dora" }, "error: --finetune 'dora': unknown; valid: full, lora, qlora")]
    [InlineData(new[] { "plan", "llama-2-7b", "--finetune", "lora", "--lora-targets", "q,x" }, "error: --lora-targets 'q,x': unknown module 'x'; valid: all-linear, or a comma list of q, k, v, o, gate, up, down")]
    [InlineData(new[] { "estimate", "llama-2-7b", "--finetune", "lora", "--lora-rank", "0" }, "error: --lora-rank 0: it must be from 1 to 65536 (8, 16, 64 are usual)")]
    [InlineData(new[] { "estimate", "lenet-5", "--finetune", "lora" }, "error: --finetune lora is modelled for transformer specs only; lenet-5 is a layer stack")]
    [InlineData(new[] { "plan", "llama-2-7b", "--finetune", "lora", "--tp", "2" }, "error: --finetune lora plans data parallelism with ZeRO; --tp, --pp, --cp and --ep are not modelled for adapters")]
    [InlineData(new[] { "estimate", "llama-2-7b", "--lora-rank", "16" }, "error: --lora-rank configures LoRA adapters; it needs --finetune lora or qlora")]
    [InlineData(new[] { "plan", "llama-2-7b", "--finetune", "full", "--lora-targets", "all-linear" }, "error: --lora-targets configures LoRA adapters; it needs --finetune lora or qlora, got --finetune full")]
    [InlineData(new[] { "plan", "llama-2-7b", "--serve", "--finetune", "lora" }, "error: --finetune lora plans training; leave it out with --serve (serve the merged model at its --precision)")]
    [InlineData(new[] { "plan", "llama-2-7b", "--finetune", "lora", "--lora-dtype", "fp8" }, "error: --lora-dtype 'fp8': unknown; valid: fp32, bf16")]
    public void FineTune_BadInput_ExitsOneWithOneLine(string[] args, string expected)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(1, code);
        Assert.Equal(expected, error.Split('\n')[0].TrimEnd('\r'));
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
