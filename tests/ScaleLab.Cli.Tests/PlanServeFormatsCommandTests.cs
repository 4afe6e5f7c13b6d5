namespace ScaleLab.Cli.Tests;

/// <summary>`plan --serve` with stored weight formats (llama.cpp presets, MXFP4, AWQ) and scaled KV caches, through the CLI and its schema.</summary>
public class PlanServeFormatsCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    [Fact]
    public void Serve_Q4KM_WithQ8_0Cache_OnRtx4090_ReportsTheMixAndFits()
    {
        var j = PlanDefaultsCommandTests.Json(0, "plan", "llama-2-7b", "--serve", "--context", "4096", "--batch", "8", "--precision", "q4_k_m", "--kv-precision", "q8_0", "--hardware", "rtx-4090");
        PlanDefaultsCommandTests.AssertValid(j);
        var m = j.GetProperty("memory");
        Assert.Equal(4_080_263_168, m.GetProperty("weights_bytes").GetInt64());
        Assert.Equal(2L * 32 * 32 * 128 * 4096 / 32 * 34, m.GetProperty("kv_cache_bytes_per_sequence").GetInt64());
        Assert.Equal("q4_k", m.GetProperty("weight_formats")[0].GetProperty("format").GetString());
        Assert.Equal(("q4_k_m", "q8_0"), (j.GetProperty("setup").GetProperty("precision").GetString(), j.GetProperty("setup").GetProperty("kv_precision").GetString()));
    }

    [Theory]
    [InlineData("mxfp4")]
    [InlineData("nvfp4")]
    [InlineData("awq-g64")]
    [InlineData("fp8-block")]
    [InlineData("int4")]
    public void Serve_Json_ValidatesForEveryKindOfFormat(string precision) =>
        PlanDefaultsCommandTests.AssertValid(PlanDefaultsCommandTests.Json(0, "plan", "llama-2-7b", "--serve", "--context", "1024", "--precision", precision, "--hardware", "h100-sxm"));

    [Fact]
    public void Serve_ExpertParallel_Json_GivesOneGpusShare()
    {
        var j = PlanDefaultsCommandTests.Json(0, "plan", "mixtral-8x7b", "--serve", "--ep", "8", "--batch", "64", "--context", "4096", "--hardware", "h100-sxm");
        PlanDefaultsCommandTests.AssertValid(j);
        var ep = j.GetProperty("expert_parallel");
        Assert.Equal(8, ep.GetProperty("gpus").GetInt32());
        Assert.Equal(2L * 45_097_156_608 / 8, ep.GetProperty("expert_weights_bytes").GetInt64());
    }

    [Fact]
    public void Should_Reject_Serving_Ep_On_Fewer_Gpus()
    {
        var (code, _, error) = Run("plan", "mixtral-8x7b", "--serve", "--ep", "8", "--gpus", "4");
        Assert.Equal(1, code);
        Assert.Equal("error: --serve --ep 8 spreads the experts over every GPU; give --gpus 8 (or leave it out), got --gpus 4", error.Split('\n')[0].TrimEnd('\r'));
    }

    [Fact]
    public void Serve_Table_StatesTheMixAndTheAverageBits()
    {
        var (code, output, _) = Run("plan", "llama-2-7b", "--serve", "--precision", "q4_k_m", "--hardware", "rtx-4090");
        Assert.Equal(0, code);
        Assert.Contains("weight formats: q4_k 5.62 B, q6_k 1.12 B, f32 266.24 K parameters (4.844 bits each on average, scales included)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Reject_An_Unknown_Kv_Format()
    {
        var (code, _, error) = Run("plan", "llama-2-7b", "--serve", "--kv-precision", "int2");
        Assert.Equal(1, code);
        Assert.Equal("error: --kv-precision 'int2': unknown KV cache format; valid: fp32, fp16, bf16, fp8-e4m3, fp8-e5m2, int8, int4, q8_0, q4_0 (fp8 = fp8-e4m3)", error.Split('\n')[0].TrimEnd('\r'));
    }

    [Fact]
    public void Should_Reject_A_Stored_Format_On_A_Layer_Stack()
    {
        var (code, _, error) = Run("plan", "lenet-5", "--serve", "--precision", "q4_k_m");
        Assert.Equal(1, code);
        Assert.Equal("error: --precision q4_k_m stores a transformer's weight tensors; lenet-5 is a layer stack (use fp32, fp16, bf16, fp8, int8 or int4)", error.Split('\n')[0].TrimEnd('\r'));
    }
}
