using ScaleLab.Core.Spec;

namespace ScaleLab.Torch.Data;

/// <summary>
/// Everything a training run needs from its data: three splits and what they hold.
/// Validation is carved from the end of the training split by position, so it never depends on a shuffle.
/// Classes is the number of classes for classification, the vocabulary size for a language model, 0 for regression.
/// SampleShape is one input sample without the batch dimension (1x28x28, F, or S for tokens).
/// </summary>
public sealed record DataBundle(
    TensorDataSet Train,
    TensorDataSet Validation,
    TensorDataSet Test,
    TaskKind Task,
    int Classes,
    Shape SampleShape,
    bool InputIsTokens,
    string Description) : IDisposable
{
    /// <summary>For a language model: the characters in id order (id i is Vocabulary[i]); otherwise null.</summary>
    public string? Vocabulary { get; init; }

    /// <summary>For classification: the class names in id order (from a CSV label column, or the data set's own).</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Regression targets per sample (k); 0 otherwise.</summary>
    public int TargetCount { get; init; }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
