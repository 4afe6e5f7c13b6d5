using System.Text.Json;

namespace ScaleLab.Cli.Tests;

/// <summary>`plan --serve` on the current families: the KV cache by layer kind, in text and JSON (validated against plan.schema.json).</summary>
public sealed class PlanCurrentFamiliesTests
{
    [Fact]
    public void PlanServe_GptOss_SplitsTheCacheIntoGlobalAndSlidingLayers()
    {
        var (code, json, error) = EstimateCommandTests.Run("plan", "gpt-oss-20b", "--serve", "--context", "8192", "--batch", "4", "--hardware", "h100-sxm", "--json");
        Assert.True(code == 0, error);
        SchemaValidation.AssertValid("plan.schema.json", json);
        using var doc = JsonDocument.Parse(json);
        var groups = doc.RootElement.GetProperty("memory").GetProperty("kv_cache_by_layer_kind").EnumerateArray().ToList();
        // bf16 K and V of 8 heads × 64 per layer: 12 global layers hold 8192 tokens, 12 sliding ones 128; batch 4.
        Assert.Equal(12L * 1024 * 8192 * 2 * 4, groups.Single(g => g.GetProperty("kind").GetString() == "global").GetProperty("bytes").GetInt64());
        Assert.Equal(12L * 1024 * 128 * 2 * 4, groups.Single(g => g.GetProperty("kind").GetString() == "sliding window 128").GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void PlanServe_DeepSeekV3_ShowsTheLatentCache()
    {
        var (code, text, error) = EstimateCommandTests.Run("plan", "deepseek-v3", "--serve", "--context", "4096", "--batch", "1", "--gpus", "16", "--precision", "fp8", "--hardware", "h100-sxm");
        Assert.True(code == 0, error);
        Assert.Contains("latent (MLA)", text, StringComparison.Ordinal);
        Assert.Contains("61 layers × 576 values × 4,096 tokens", text, StringComparison.Ordinal);
    }
}

public sealed class SummaryCurrentFamiliesTests
{
    [Fact]
    public void Summary_DeepSeek_NamesRoutedAndSharedExpertRowsApart()
    {
        var (code, text, error) = EstimateCommandTests.Run("summary", "deepseek-v2-lite");
        Assert.True(code == 0, error);
        Assert.Contains("experts.gate_proj", text, StringComparison.Ordinal);
        Assert.Contains("shared_experts.gate_proj", text, StringComparison.Ordinal);
        Assert.Contains("kv_a_proj_with_mqa", text, StringComparison.Ordinal);
    }
}
