namespace ScaleLab.Core.Planning;

/// <summary>
/// How an fp8 training run keeps its model state. The matmuls run in fp8 in every recipe; what differs is the format of
/// the weights, gradients, master copy and optimizer moments (Hugging Face Accelerate, "Low precision training methods",
/// the chart taken from the MS-AMP documentation; Peng et al. 2023, "FP8-LM: Training FP8 Large Language Models"):
///   te (Megatron-Core with Transformer Engine): bf16 weights and gradients, fp32 main weights and Adam moments —
///     fp8 copies exist only inside the matmuls: 2 + 2 + 4 + 8 = 16 bytes per parameter;
///   msamp-o1: fp16 weights, fp8 gradients, fp32 + fp32 moments, no master copy: 2 + 1 + 8 = 11;
///   msamp-o2: fp16 weights, fp8 gradients, fp8 + fp16 moments: 2 + 1 + 3 = 6;
///   msamp-o3: fp8 weights, fp16 master weights, fp8 gradients, fp8 + fp16 moments: 1 + 2 + 1 + 3 = 7.
/// Activations are counted at 16 bits in all of them (a conservative figure: Transformer Engine keeps some linear
/// inputs in fp8).
/// </summary>
public enum Fp8Recipe { TransformerEngine, MsAmpO1, MsAmpO2, MsAmpO3 }

public static class Fp8RecipeInfo
{
    public static string Name(this Fp8Recipe recipe) => recipe switch
    {
        Fp8Recipe.TransformerEngine => "te",
        Fp8Recipe.MsAmpO1 => "msamp-o1",
        Fp8Recipe.MsAmpO2 => "msamp-o2",
        _ => "msamp-o3",
    };

    public static Fp8Recipe Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "te" or "transformer-engine" => Fp8Recipe.TransformerEngine,
            "msamp-o1" => Fp8Recipe.MsAmpO1,
            "msamp-o2" => Fp8Recipe.MsAmpO2,
            "msamp-o3" => Fp8Recipe.MsAmpO3,
            _ => throw new PlanningException($"--fp8-recipe '{text}': unknown; valid: te (Transformer Engine, the default), msamp-o1, msamp-o2, msamp-o3"),
        };
    }
}
