namespace ScaleLab.Torch.Evaluation;

/// <summary>
/// One evaluation of a model on one split. Loss: classification → mean cross-entropy on logits; regression → MSE;
/// language model → mean token cross-entropy. Accuracy is per sample (per token for a language model); TopK is the
/// fraction whose true class is among the K largest logits (null when there are no more than K classes).
/// Perplexity = exp(mean token cross-entropy), language models only.
/// </summary>
public sealed record EvaluationResult(
    long Samples,
    double Loss,
    double? Accuracy,
    double? TopK,
    int K,
    ClassificationReport? Classification,
    RegressionReport? Regression,
    double? Perplexity)
{
    /// <summary>Perplexity from a mean token cross-entropy in nats: PPL = exp(CE) (Jelinek et al. 1977; see e.g. Jurafsky &amp; Martin, SLP3 §3.3).</summary>
    public static double PerplexityOf(double meanTokenCrossEntropy) => Math.Exp(meanTokenCrossEntropy);
}
