using System.Text.Json;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab plan` with today's defaults (FlashAttention, the model's dropout), its assumptions line, the ranked changes, and the schema.</summary>
public class PlanDefaultsCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    internal static JsonElement Json(int expectedCode, params string[] args)
    {
        var (code, output, error) = Run([.. args, "--json"]);
        Assert.True(code == expectedCode, $"exit {code}: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    internal static void AssertValid(JsonElement output)
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "docs", "schemas", "plan.schema.json")));
        Assert.Null(JsonSchemaCheck.Problem(schema.RootElement, output));
    }

    [Fact]
    public void Plan_ReadmeExample_Llama3_8BOn64H100sWithZero3_FitsWithTheDefaults()
    {
        var (code, output, _) = Run("plan", "llama-3-8b", "--tokens", "1e12", "--hardware", "h100-sxm", "--gpus", "64", "--zero", "3");
        Assert.Equal(0, code);
        Assert.Contains("verdict: fits on h100-sxm with 64 GPUs: uses 46.94 GiB of 74.51 GiB per GPU", output, StringComparison.Ordinal);
        Assert.Contains("assumptions: attention flash: fused kernel, no s×s scores kept; fp32 log-sum-exp per head and token (--attention eager keeps them); dropout none (from the model): no masks kept;", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Eager_DoesNotFit_AndListsTheCheapestChangesRanked()
    {
        var (code, output, _) = Run("plan", "llama-3-8b", "--gpus", "64", "--zero", "3", "--attention", "eager");
        Assert.Equal(1, code);
        Assert.Contains("""
            cheapest changes that fit, ranked:
              1. --attention flash: 46.94 GiB per GPU — cost: none (fused attention is also faster)
              2. --recompute selective: 46.91 GiB per GPU — cost: a few % more FLOPs (the attention core is recomputed)
            """.ReplaceLineEndings(), output.ReplaceLineEndings(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llama-3-8b", "--gpus", "64", "--zero", "3")]
    [InlineData("llama-3-8b", "--gpus", "64", "--zero", "3", "--attention", "eager")]
    [InlineData("gpt2-small", "--tokens", "1B", "--seq", "1024")]
    [InlineData("lenet-5", "--micro-batch", "64")]
    [InlineData("llama-3-8b", "--precision", "fp8", "--fp8-recipe", "msamp-o2", "--gpus", "8", "--zero", "1", "--seq", "4096")]
    [InlineData("mixtral-8x7b", "--gpus", "16", "--ep", "8", "--cp", "2", "--zero", "3", "--seq", "4096", "--capacity-factor", "1.25")]
    [InlineData("llama-2-7b", "--finetune", "lora", "--lora-dtype", "bf16", "--hardware", "rtx-4090")]
    public void Plan_Json_ValidatesAgainstTheSchema(params string[] args)
    {
        var (_, output, error) = Run(["plan", .. args, "--json"]);
        Assert.True(output.StartsWith('{'), output[..Math.Min(200, output.Length)] + error);
        AssertValid(JsonDocument.Parse(output).RootElement);
    }

    [Fact]
    public void Plan_Json_StatesAttentionDropoutAndAssumptions()
    {
        var j = Json(0, "plan", "gpt2-small", "--seq", "1024");
        var setup = j.GetProperty("setup");
        Assert.Equal("flash", setup.GetProperty("attention").GetString());
        Assert.Equal(0.1, setup.GetProperty("dropout").GetProperty("residual").GetDouble());
        Assert.True(setup.GetProperty("dropout").GetProperty("masks_kept").GetBoolean());
        Assert.StartsWith("dropout 0.1 residual/embedding, 0.1 attention (from the model)", j.GetProperty("assumptions")[1].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Reject_An_Unknown_Attention_Kernel()
    {
        var (code, _, error) = Run("plan", "gpt2-small", "--attention", "sparse");
        Assert.Equal(1, code);
        Assert.Equal("error: --attention 'sparse': unknown; valid: flash (fused attention, the default), eager (scores kept)", error.Split('\n')[0].TrimEnd('\r'));
    }

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
