using System.Text.Json;

namespace ScaleLab.Cli.Tests;

/// <summary>`scalelab plan` end to end: exit 0 when the plan fits and 1 when it does not, the verdict line, the JSON contract, one-line errors.</summary>
public class PlanCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => EstimateCommandTests.Run(args);

    private static JsonElement Json(int expectedCode, params string[] args)
    {
        var (code, output, error) = Run([.. args, "--json"]);
        Assert.True(code == expectedCode, $"exit {code}: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string VerdictLine(string output) =>
        output.Split('\n').Single(l => l.StartsWith("verdict: ", StringComparison.Ordinal)).TrimEnd('\r');

    [Fact]
    public void Plan_Llama3_8BOn64H100sWithZero1_Fits_AndExitsZero()
    {
        var (code, output, _) = Run("plan", "llama-3-8b", "--tokens", "15T", "--gpus", "64", "--zero", "1", "--seq", "2048",
            "--recompute", "selective", "--no-dropout", "--price-per-hour", "2.5");
        Assert.Equal(0, code);
        Assert.StartsWith("verdict: fits on h100-sxm with 64 GPUs: uses ", VerdictLine(output), StringComparison.Ordinal);
        Assert.Contains("6·N·D", output, StringComparison.Ordinal);
        Assert.Contains("GPU-hours", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Llama2_7BOnOneL4_DoesNotFit_ExitsOne_AndNamesTheSmallestLayout()
    {
        var (code, output, _) = Run("plan", "llama-2-7b", "--hardware", "l4", "--seq", "1024", "--activation-checkpointing");
        Assert.Equal(1, code);
        Assert.StartsWith("verdict: does not fit on l4 with 1 GPU: needs ", VerdictLine(output), StringComparison.Ordinal);
        Assert.Contains("smallest layout that fits: ", output, StringComparison.Ordinal);
        Assert.Contains("time and cost: give --tokens D", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Json_Zero2ShardsGradientsAndOptimizerStateButNotWeights()
    {
        var j = Json(0, "plan", "gpt2-xl", "--hardware", "a100-80gb", "--gpus", "8", "--zero", "2", "--seq", "1024");
        Assert.Equal(("scalelab.plan/2", "train"), (j.GetProperty("schema").GetString(), j.GetProperty("mode").GetString()));
        long p = j.GetProperty("model").GetProperty("parameters").GetProperty("total").GetInt64();
        var m = j.GetProperty("memory_per_gpu");
        Assert.Equal(2 * p, m.GetProperty("weights_bytes").GetInt64());                    // 2Ψ, whole
        Assert.Equal((2 * p + 7) / 8, m.GetProperty("gradients_bytes").GetInt64());        // 2Ψ / N_d
        Assert.Equal((4 * p + 7) / 8, m.GetProperty("master_weights_bytes").GetInt64());   // K = 12: 4 master ...
        Assert.Equal((8 * p + 7) / 8, m.GetProperty("optimizer_state_bytes").GetInt64());  // ... + 8 Adam moments, / N_d
        Assert.True(j.GetProperty("fits").GetBoolean());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("compute").ValueKind);
    }

    [Fact]
    public void Plan_Json_TimeIsExactFlopsOverGpusPeakAndMfu()
    {
        var j = Json(0, "plan", "gpt2-small", "--tokens", "10B", "--hardware", "a100-40gb", "--gpus", "8", "--mfu", "0.5", "--price-per-hour", "1.5");
        var c = j.GetProperty("compute");
        Assert.Equal(1e10, c.GetProperty("tokens").GetDouble());
        double seconds = c.GetProperty("training_flops_exact").GetDouble() / (8 * 312e12 * 0.5);
        Assert.Equal(seconds, c.GetProperty("seconds").GetDouble(), seconds * 1e-12);
        Assert.Equal(seconds * 8 / 3600 * 1.5, c.GetProperty("cost").GetDouble(), 1e-6);
        Assert.Equal(6.0 * 124_439_808 * 1e10, c.GetProperty("training_flops_6nd").GetDouble(), 1e6);
    }

    [Fact]
    public void PlanServe_Llama2_7BOnA100_80GB_Has2GiBCachePerSequenceAnd30SequencesAtMost()
    {
        var j = Json(0, "plan", "llama-2-7b", "--serve", "--context", "4096", "--batch", "8", "--precision", "fp16", "--hardware", "a100-80gb");
        Assert.Equal("serve", j.GetProperty("mode").GetString());
        var m = j.GetProperty("memory");
        Assert.Equal(2 * 6_738_415_616L, m.GetProperty("weights_bytes").GetInt64());
        Assert.Equal(2_147_483_648, m.GetProperty("kv_cache_bytes_per_sequence").GetInt64());
        Assert.Equal(30, j.GetProperty("max_batch").GetInt64());
        Assert.Equal("memory", j.GetProperty("throughput").GetProperty("bound").GetString());
    }

    [Fact]
    public void PlanServe_TooLargeBatch_ExitsOneWithVerdict()
    {
        var (code, output, _) = Run("plan", "llama-2-7b", "--serve", "--context", "4096", "--batch", "16", "--precision", "int4", "--hardware", "l4");
        Assert.Equal(1, code);
        Assert.Equal("verdict: does not fit on l4 with 1 GPU: needs 35.14 GiB, has 22.35 GiB; at most 9 sequences of 4096 tokens fit; needs at least 2 GPUs for batch 16", VerdictLine(output));
    }

    [Fact]
    public void PlanCompute_GopherBudget_IsAbout70BOn1_4T()
    {
        var j = Json(0, "plan", "--compute", "5.76e23");
        Assert.Equal(69_282_032_302.755, j.GetProperty("rule").GetProperty("parameters").GetDouble(), 1.0);
        Assert.Equal(32_189_859_151.37, j.GetProperty("fitted").GetProperty("parameters").GetDouble(), 100.0);
    }

    [Fact]
    public void PlanListHardware_ShowsEveryProfileAndItsSource()
    {
        var (code, output, _) = Run("plan", "--list-hardware");
        Assert.Equal(0, code);
        foreach (string name in new[] { "a100-40gb", "a100-80gb", "h100-sxm", "h200", "l4", "rtx-4090", "cpu" })
            Assert.Contains($"  {name}: ", output, StringComparison.Ordinal);
        Assert.Contains("NVIDIA H100 Tensor Core GPU datasheet", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_UserHardwareProfile_IsUsedByName()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scalelab-plan-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, """{ "name": "tiny", "memory_bytes": 1e9, "memory_bandwidth_bytes_per_second": 1e11, "peak_flops": { "bf16": 1e14 }, "source": "test" }""");
            var (code, output, _) = Run("plan", "gpt2-small", "--hardware", path, "--seq", "1024");
            Assert.Equal(1, code);
            Assert.StartsWith("verdict: does not fit on tiny with 1 GPU", VerdictLine(output), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new[] { "plan" }, "error: plan needs a TARGET (a preset, spec .json or config.json), or --compute C, or --list-hardware")]
    [InlineData(new[] { "plan", "gpt2-small", "--tokens", "lots" }, "error: --tokens 'lots': expected a positive number such as 1.4T, 300B, 2e12 or 15000000 (suffixes K, M, B/G, T, P are powers of 1000)")]
    [InlineData(new[] { "plan", "gpt2-small", "--hardware", "tpu-v9" }, "error: --hardware 'tpu-v9': unknown hardware; built-in: a100-40gb, a100-80gb, h100-sxm, h200, l4, rtx-4090, cpu, or a profile .json (docs/hardware.md)")]
    [InlineData(new[] { "plan", "gpt2-small", "--hardware", "/nonexistent/hw.json" }, "error: /nonexistent/hw.json: no such hardware profile file")]
    [InlineData(new[] { "plan", "gpt2-small", "--gpus", "6", "--tp", "4" }, "error: --gpus 6 is not a multiple of --tp × --pp = 4; the data-parallel degree must be a whole number")]
    [InlineData(new[] { "plan", "gpt2-small", "--tokens", "1B", "--hardware", "a100-80gb", "--precision", "fp8" }, "error: a100-80gb has no fp8 rate; it has: fp32, tf32, fp16, bf16, int8")]
    [InlineData(new[] { "plan", "gpt2-small", "--precision", "int8" }, "error: --precision int8 is an inference format; train in fp32, tf32, bf16, fp16 or fp8")]
    [InlineData(new[] { "plan", "gpt2-small", "--serve", "--precision", "fp12" }, "error: --precision 'fp12': unknown precision; valid: fp32, fp16, bf16, fp8, int8, int4, or a storage format: fp8-e4m3, fp8-e5m2, fp8-block, mxfp4, nvfp4, awq, gptq, awq-gN, gptq-gN, q8_0, q6_k, q5_k_m, q5_k_s, q4_k_m, q4_k_s, q4_0, iq4_nl, iq4_xs (N = 32, 64, 128, 256)")]
    [InlineData(new[] { "plan", "gpt2-small", "--tokens", "1B", "--mfu", "0" }, "error: --mfu must be in (0, 1], got 0; 0.4 is typical")]
    [InlineData(new[] { "plan", "lenet-5", "--tp", "2" }, "error: --tp and --pp are modelled for transformer specs only; a layer stack plans with data parallelism and ZeRO")]
    public void Plan_BadInput_ExitsOneWithOneLine(string[] args, string expected)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(1, code);
        Assert.Equal(expected, error.Split('\n')[0].TrimEnd('\r'));
    }
}
