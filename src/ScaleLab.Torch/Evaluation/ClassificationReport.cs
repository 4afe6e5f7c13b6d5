namespace ScaleLab.Torch.Evaluation;

/// <summary>Precision, recall, F1 and support (true samples) of one class.</summary>
public sealed record ClassMetrics(int Class, double Precision, double Recall, double F1, long Support);

/// <summary>An average over classes: macro (each class counts once) or weighted (by support).</summary>
public sealed record AveragedMetrics(double Precision, double Recall, double F1, long Support);

/// <summary>
/// Per-class metrics, their macro and weighted averages, accuracy, and the confusion matrix:
/// Confusion[t][p] counts samples of true class t predicted as p (rows true, columns predicted, as in scikit-learn).
/// </summary>
public sealed record ClassificationReport(
    IReadOnlyList<ClassMetrics> PerClass,
    AveragedMetrics Macro,
    AveragedMetrics Weighted,
    double Accuracy,
    long[][] Confusion)
{
    public long Samples => Macro.Support;
}
