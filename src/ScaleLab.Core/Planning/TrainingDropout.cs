using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Which dropout masks a training step keeps, from the model's own rates unless the setup overrides them. A rate of 0
/// keeps no mask (PyTorch's dropout is the identity at p = 0). A model that states no rate is planned at 0.1, the value
/// of GPT-2's and BERT's configs (GPT2Config resid/embd/attn_pdrop, BertConfig hidden/attention_probs_dropout_prob);
/// Llama, Mistral, Mixtral, Qwen2 and Gemma train without dropout (their configs' attention_dropout is 0.0).
/// </summary>
/// <param name="Hidden">Masks on the embedding output and both residual branches of every layer.</param>
/// <param name="Attention">The mask on the attention probabilities (kept only by eager attention).</param>
/// <param name="HiddenRate">The residual/embedding dropout probability planned.</param>
/// <param name="AttentionRate">The attention-probability dropout planned.</param>
public sealed record TrainingDropout(bool Hidden, bool Attention, double HiddenRate, double AttentionRate)
{
    /// <summary>GPT-2's and BERT's configured rate, assumed where a model states none.</summary>
    public const double Unstated = 0.1;

    public static TrainingDropout For(TransformerSpec? model, bool? overrideKeep)
    {
        double hidden = model?.Dropout ?? Unstated;
        double attention = model?.AttentionDropout ?? model?.Dropout ?? Unstated;
        if (overrideKeep == false) return new TrainingDropout(false, false, 0, 0);
        if (overrideKeep == true) return new TrainingDropout(true, true, hidden > 0 ? hidden : Unstated, attention > 0 ? attention : Unstated);
        return new TrainingDropout(hidden > 0, attention > 0, hidden, attention);
    }
}
