namespace ScaleLab.Torch.Evaluation;

/// <summary>
/// Classification metrics from a confusion matrix, with scikit-learn's definitions
/// (sklearn.metrics.precision_recall_fscore_support / classification_report):
/// precision_c = TP / (TP + FP), recall_c = TP / (TP + FN), F1_c = 2PR / (P + R); a 0/0 is 0 (sklearn's zero_division=0).
/// Macro = unweighted mean over classes; weighted = mean weighted by support (true samples per class).
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>A confusion matrix of <paramref name="classes"/>² counts from true and predicted class ids.</summary>
    public static long[][] Confusion(ReadOnlySpan<long> truth, ReadOnlySpan<long> predicted, int classes)
    {
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"{truth.Length} true labels but {predicted.Length} predictions", nameof(predicted));
        var matrix = NewMatrix(classes);
        Accumulate(matrix, truth, predicted);
        return matrix;
    }

    public static long[][] NewMatrix(int classes)
    {
        var matrix = new long[classes][];
        for (int c = 0; c < classes; c++) matrix[c] = new long[classes];
        return matrix;
    }

    /// <summary>Adds pairs to an existing matrix (batch by batch); ids outside 0..C−1 are a caller bug.</summary>
    public static void Accumulate(long[][] matrix, ReadOnlySpan<long> truth, ReadOnlySpan<long> predicted)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        for (int i = 0; i < truth.Length; i++) matrix[truth[i]][predicted[i]]++;
    }

    public static ClassificationReport Report(long[][] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int classes = confusion.Length;
        var perClass = new ClassMetrics[classes];
        long total = 0, correct = 0;
        for (int c = 0; c < classes; c++)
        {
            long tp = confusion[c][c], support = 0, predictedAsC = 0;
            for (int k = 0; k < classes; k++)
            {
                support += confusion[c][k];
                predictedAsC += confusion[k][c];
            }
            double precision = Ratio(tp, predictedAsC);
            double recall = Ratio(tp, support);
            double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            perClass[c] = new ClassMetrics(c, precision, recall, f1, support);
            total += support;
            correct += tp;
        }
        var macro = new AveragedMetrics(
            perClass.Average(m => m.Precision), perClass.Average(m => m.Recall), perClass.Average(m => m.F1), total);
        var weighted = total == 0
            ? new AveragedMetrics(0, 0, 0, 0)
            : new AveragedMetrics(
                perClass.Sum(m => m.Precision * m.Support) / total,
                perClass.Sum(m => m.Recall * m.Support) / total,
                perClass.Sum(m => m.F1 * m.Support) / total,
                total);
        return new ClassificationReport(perClass, macro, weighted, Ratio(correct, total), confusion);
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
