using System.Runtime.CompilerServices;

namespace ScaleLab.Cli.Tests;

/// <summary>
/// `scalelab plan` for people, against golden files (Golden/plan-NAME.txt): the README's training plan, the same plan
/// with eager attention and its ranked changes, QLoRA on an RTX 4090, and Q4_K_M serving. After an intended change,
/// regenerate with SCALELAB_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
public class PlanGoldenTests
{
    [Theory]
    [InlineData("train-llama-3-8b", 0, "plan", "llama-3-8b", "--tokens", "1e12", "--hardware", "h100-sxm", "--gpus", "64", "--zero", "3")]
    [InlineData("train-llama-3-8b-eager", 1, "plan", "llama-3-8b", "--hardware", "h100-sxm", "--gpus", "64", "--zero", "3", "--attention", "eager")]
    [InlineData("qlora-llama-2-7b-rtx-4090", 0, "plan", "llama-2-7b", "--finetune", "qlora", "--hardware", "rtx-4090")]
    [InlineData("serve-llama-2-7b-q4_k_m", 0, "plan", "llama-2-7b", "--serve", "--context", "4096", "--batch", "8", "--precision", "q4_k_m", "--kv-precision", "q8_0", "--hardware", "rtx-4090")]
    public void Plan_MatchesItsGoldenFile(string name, int expectedCode, params string[] args)
    {
        var (code, output, error) = EstimateCommandTests.Run(args);
        Assert.True(code == expectedCode, error);
        string file = $"plan-{name}.txt";
        if (Environment.GetEnvironmentVariable("SCALELAB_UPDATE_GOLDEN") == "1")
            File.WriteAllText(Path.Combine(SourceFolder(), "Golden", file), output);
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", file)), output);
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
