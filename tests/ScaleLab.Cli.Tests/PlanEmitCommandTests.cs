namespace ScaleLab.Cli.Tests;

/// <summary>`plan … --emit ENGINE --out DIR`: the launch files and plan.json beside them; what cannot be emitted says why.</summary>
public sealed class PlanEmitCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scalelab-emit-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public void Emit_DeepSpeed_WritesDsConfigAndThePlanBesideIt()
    {
        var (code, text, _) = EstimateCommandTests.Run("plan", "llama-3-8b", "--tokens", "1e12", "--gpus", "64", "--zero", "3",
            "--activation-checkpointing", "--emit", "deepspeed", "--out", _dir, "--global-batch", "1024");

        Assert.Equal(0, code);
        Assert.Equal([
            "fits on h100-sxm with 64 GPUs: uses 7.91 GiB of 74.51 GiB per GPU",
            "deepspeed: global batch 1024 = micro-batch 1 × data-parallel 64 × accumulation 16; 635 h 03 min on 64 GPUs",
            $"wrote {Path.Combine(_dir, "ds_config.json")}",
            $"wrote {Path.Combine(_dir, "plan.json")}"], text.TrimEnd().Split('\n'));
        Assert.Contains("\"gradient_accumulation_steps\": 16", File.ReadAllText(Path.Combine(_dir, "ds_config.json")), StringComparison.Ordinal);
        SchemaValidation.AssertValid("plan.schema.json", File.ReadAllText(Path.Combine(_dir, "plan.json")));
    }

    [Fact]
    public void Should_Ask_For_Out_With_Emit()
    {
        var (code, _, error) = EstimateCommandTests.Run("plan", "llama-3-8b", "--gpus", "64", "--zero", "3", "--activation-checkpointing", "--emit", "megatron");
        Assert.Equal(1, code);
        Assert.Equal("error: --emit megatron: give --out DIR, the folder to write the launch files into", error.Trim());
    }

    [Fact]
    public void Should_Write_Nothing_For_A_Layout_That_Does_Not_Fit()
    {
        var (code, _, error) = EstimateCommandTests.Run("plan", "llama-3-8b", "--gpus", "8", "--emit", "torchrun-fsdp", "--out", _dir);
        Assert.Equal(1, code);
        Assert.StartsWith("error: --emit torchrun-fsdp: does not fit on h100-sxm with 8 GPUs: needs ", error.Trim(), StringComparison.Ordinal);
        Assert.EndsWith("; nothing written", error.Trim(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
