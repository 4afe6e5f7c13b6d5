using System.Globalization;
using System.Text.RegularExpressions;

namespace ScaleLab.Core.Import.Checkpoints;

/// <summary>
/// Groups tensors by the role their names reveal. Layer prefixes cover the common layouts: Hugging Face
/// "model.layers.N." (Llama, Mistral, Qwen), "transformer.h.N." (GPT-2), "encoder.layer.N." (BERT),
/// "gpt_neox.layers.N.", and GGUF "blk.N.". Embeddings, the final norm and the head are matched by the names
/// transformers and llama.cpp use for them (embed_tokens / wte / wpe / token_embd; norm / ln_f / output_norm;
/// lm_head / output / classifier / pooler).
/// </summary>
public static partial class LayerGrouping
{
    [GeneratedRegex(@"(?:^|\.)(?:layers|layer|h|blk|blocks|block)\.(\d{1,6})\.", RegexOptions.CultureInvariant)]
    private static partial Regex LayerPattern();

    [GeneratedRegex(@"(?:embed|(?:^|\.)wte\.|(?:^|\.)wpe\.|token_embd|position_embd|token_types)", RegexOptions.CultureInvariant)]
    private static partial Regex EmbeddingPattern();

    [GeneratedRegex(@"(?:^|\.)(?:norm|ln_f|final_layer_norm|output_norm|final_layernorm)\.", RegexOptions.CultureInvariant)]
    private static partial Regex FinalNormPattern();

    [GeneratedRegex(@"(?:^|\.)(?:lm_head|output|classifier|score|pooler|cls|qa_outputs)\.", RegexOptions.CultureInvariant)]
    private static partial Regex HeadPattern();

    /// <summary>Embeddings, layers in index order, final norm, head, other. Empty when no layer prefix is found.</summary>
    public static IReadOnlyList<LayerGroup> Group(IReadOnlyList<CheckpointTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var keyed = tensors.Select(t => (Key: Classify(t.Name), Tensor: t)).ToList();
        if (!keyed.Any(k => k.Key.Kind == LayerKind.Layer)) return [];
        return [.. keyed
            .GroupBy(k => k.Key)
            .OrderBy(g => g.Key.Kind == LayerKind.Other ? int.MaxValue : (int)g.Key.Kind)
            .ThenBy(g => g.Key.Index)
            .Select(g => new LayerGroup(g.Key.Kind, g.Key.Index, Name(g.Key.Kind, g.Key.Index), g.Count(),
                g.Sum(k => k.Tensor.Parameters), g.Sum(k => k.Tensor.Bytes)))];
    }

    public static (LayerKind Kind, int? Index) Classify(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var layer = LayerPattern().Match(name);
        if (layer.Success) return (LayerKind.Layer, int.Parse(layer.Groups[1].Value, CultureInfo.InvariantCulture));
        if (EmbeddingPattern().IsMatch(name)) return (LayerKind.Embeddings, null);
        if (HeadPattern().IsMatch(name)) return (LayerKind.Head, null);
        if (FinalNormPattern().IsMatch(name)) return (LayerKind.FinalNorm, null);
        return (LayerKind.Other, null);
    }

    private static string Name(LayerKind kind, int? index) => kind switch
    {
        LayerKind.Embeddings => "embeddings",
        LayerKind.Layer => string.Create(CultureInfo.InvariantCulture, $"layer {index}"),
        LayerKind.FinalNorm => "final norm",
        LayerKind.Head => "head",
        _ => "other",
    };
}
