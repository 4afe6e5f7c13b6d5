namespace ScaleLab.Core.NumberFormats;

/// <summary>The weight formats `plan --serve --precision` accepts beyond the plain ones (fp32, fp16, bf16, fp8, int8, int4).</summary>
public static class WeightRecipes
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "fp8-e4m3", "fp8-e5m2", "fp8-block", "mxfp4", "nvfp4", "awq", "gptq", "awq-gN", "gptq-gN",
        "q8_0", "q6_k", "q5_k_m", "q5_k_s", "q4_k_m", "q4_k_s", "q4_0", "iq4_nl", "iq4_xs",
    ];

    /// <summary>A recipe by name, or null: awq and gptq take a group size as awq-g64 (default 128).</summary>
    public static WeightRecipe? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        if (LlamaFtypeInfo.Find(key) is { } ftype) return new LlamaCppRecipe(ftype);
        return key switch
        {
            "fp8-e4m3" => new LinearLayersRecipe(BlockFormats.Fp8E4M3),
            "fp8-e5m2" => new LinearLayersRecipe(BlockFormats.Fp8E5M2),
            "fp8-block" => new LinearLayersRecipe(BlockFormats.Fp8Block),
            "mxfp4" => new LinearLayersRecipe(BlockFormats.Mxfp4),
            "nvfp4" => new LinearLayersRecipe(BlockFormats.Nvfp4),
            "awq" => new LinearLayersRecipe(BlockFormats.Awq(128)),
            "gptq" => new LinearLayersRecipe(BlockFormats.Gptq(128)),
            _ when Grouped(key, "awq-g") is int g => new LinearLayersRecipe(BlockFormats.Awq(g)),
            _ when Grouped(key, "gptq-g") is int g => new LinearLayersRecipe(BlockFormats.Gptq(g)),
            _ => null,
        };
    }

    private static int? Grouped(string key, string prefix) =>
        key.StartsWith(prefix, StringComparison.Ordinal)
        && int.TryParse(key.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int g)
        && g is 32 or 64 or 128 or 256 ? g : null;
}
