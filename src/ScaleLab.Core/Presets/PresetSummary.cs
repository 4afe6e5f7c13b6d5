using System.Globalization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Presets;

/// <summary>One line of `scalelab estimate --list`: a preset's architecture in words and its headline counts.</summary>
public sealed record PresetSummary(string Name, string Family, string? Description, long Parameters, long ActiveParameters, long ActiveWithoutEmbedding)
{
    /// <summary>Every preset, in name order; counts at one token (they do not depend on the context).</summary>
    public static IReadOnlyList<PresetSummary> All() => [.. ModelPresets.Names.Select(Of)];

    public static PresetSummary Of(string name)
    {
        var spec = ModelPresets.Load(name);
        var cost = ModelAccounting.Account(spec, spec.Transformer is null ? null : 1);
        return new PresetSummary(name, FamilyOf(spec), spec.Description, cost.Parameters, cost.ActiveParameters, cost.ActiveParametersWithoutEmbedding);
    }

    /// <summary>"decoder · GQA 32/8 · MLA · MoE 256+1 top-8 · sliding 128": the parts that decide the counts.</summary>
    public static string FamilyOf(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Transformer is not { } t) return "layer stack";
        var parts = new List<string> { t.Kind == TransformerKind.Encoder ? "encoder" : "decoder" };
        if (t.Latent is not null) parts.Add("MLA");
        else if (t.EffectiveKvHeads == 1 && t.Heads > 1) parts.Add("MQA");
        else if (t.EffectiveKvHeads != t.Heads) parts.Add(Invariant($"GQA {t.Heads}/{t.EffectiveKvHeads}"));
        if (t.QkNorm != QkNormKind.None) parts.Add("q/k norm");
        if (t.FeedForward != FeedForwardKind.Plain) parts.Add(t.FeedForward == FeedForwardKind.SwiGlu ? "SwiGLU" : "GeGLU");
        if (t.IsMixtureOfExperts)
            parts.Add(Invariant($"MoE {t.Experts}{(t.SharedExperts > 0 ? "+" + t.SharedExperts : "")} top-{t.TopK}"));
        if (t.AttentionSinks) parts.Add("sinks");
        if (t.Local is { } local) parts.Add(Invariant($"{(local.Kind == LocalAttentionKind.Sliding ? "sliding" : "chunked")} {local.Window}"));
        return string.Join(" · ", parts);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
