using ScaleLab.Core.Json;
using ScaleLab.Torch.Evaluation;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `eval --json`, schema "scalelab.eval/1" (docs/schemas/eval.schema.json): the same <see cref="EvaluationResult"/> the
/// tables print. Figures a task does not have (accuracy for regression, MSE for classification) are null.
/// </summary>
internal static class EvalJson
{
    public const string SchemaId = "scalelab.eval/1";

    public static string Write(EvalCommand.EvalSubject subject, EvaluationResult r, IReadOnlyList<string>? classNames) => ScaleLabJson.Write(
        new EvalDocument(SchemaId, subject.Model, subject.Data, subject.Split, subject.Checkpoint, r.Samples, r.Loss, ScaleLabJson.Finite(r.Accuracy),
            r.TopK is double topK ? new EvalTopK(r.K, topK) : null, ScaleLabJson.Finite(r.Perplexity),
            r.Regression is { } g ? new EvalRegression(g.Targets, g.Mse, g.Mae, g.R2) : null,
            r.Classification is { } c ? EvalClassification.From(c, classNames) : null));

    private sealed record EvalDocument(string Schema, string Model, string Data, string Split, string Checkpoint, long Samples, double Loss,
        double? Accuracy, EvalTopK? TopK, double? Perplexity, EvalRegression? Regression, EvalClassification? Classification);

    private sealed record EvalTopK(int K, double Accuracy);

    private sealed record EvalRegression(int Targets, double Mse, double Mae, double R2);

    private sealed record EvalClassification(IReadOnlyList<EvalClass> PerClass, AveragedMetrics Macro, AveragedMetrics Weighted, long[][] Confusion)
    {
        public static EvalClassification From(ClassificationReport c, IReadOnlyList<string>? names) => new(
            [.. c.PerClass.Select(m => new EvalClass(m.Class, names is not null && m.Class < names.Count ? names[m.Class] : null, m.Precision, m.Recall, m.F1, m.Support))],
            c.Macro, c.Weighted, c.Confusion);
    }

    /// <summary>One class's row; the name comes from the data's class list, null when the data has none.</summary>
    private sealed record EvalClass(int Class, string? Name, double Precision, double Recall, double F1, long Support);
}
