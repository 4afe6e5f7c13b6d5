using System.Globalization;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Import.HuggingFace;

/// <summary>
/// A config's dropout rates, as the config class defaults them: GPT2Config resid_pdrop, embd_pdrop and attn_pdrop 0.1
/// (the larger of the first two becomes the spec's dropout); BertConfig hidden_dropout_prob and
/// attention_probs_dropout_prob 0.1; the rotary families (LlamaConfig, MistralConfig, …) attention_dropout 0.0 and no
/// residual dropout unless the config names one (Phi-3's resid_pdrop, or hidden_dropout). They change no count; planning
/// keeps dropout masks only for rates above 0.
/// </summary>
internal static class HfDropout
{
    public static TransformerSpec Apply(TransformerSpec spec, HfConfigDto c, string source)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(c);
        var (hidden, attention) = c.ModelType switch
        {
            "gpt2" => (Math.Max(Probability(source, "resid_pdrop", c.ResidPdrop ?? 0.1), Probability(source, "embd_pdrop", c.EmbdPdrop ?? 0.1)),
                Probability(source, "attn_pdrop", c.AttnPdrop ?? 0.1)),
            "bert" => (Probability(source, "hidden_dropout_prob", c.HiddenDropoutProb ?? 0.1),
                Probability(source, "attention_probs_dropout_prob", c.AttentionProbsDropoutProb ?? 0.1)),
            _ => (c.ResidPdrop is { } resid ? Probability(source, "resid_pdrop", resid) : Probability(source, "hidden_dropout", c.HiddenDropout ?? 0),
                Probability(source, "attention_dropout", c.AttentionDropout ?? 0)),
        };
        return spec with { Dropout = hidden, AttentionDropout = attention };
    }

    private static double Probability(string source, string field, double value) => value is >= 0 and < 1
        ? value
        : throw new SpecException(source, field, $"{value.ToString(CultureInfo.InvariantCulture)}; a dropout probability must be at least 0 and below 1");
}
