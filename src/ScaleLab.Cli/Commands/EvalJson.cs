using System.Text.Json;
using ScaleLab.Torch.Evaluation;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// `eval --json`, schema "scalelab.eval/1" (docs/schemas/eval.schema.json): the same <see cref="EvaluationResult"/> the
/// tables print. Figures a task does not have (accuracy for regression, MSE for classification) are null.
/// </summary>
internal static class EvalJson
{
    public const string SchemaId = "scalelab.eval/1";

    public static string Write(EvalCommand.EvalSubject subject, EvaluationResult r, IReadOnlyList<string>? classNames) =>
        JsonOutput.Write(SchemaId, w =>
        {
            w.WriteString("model", subject.Model);
            w.WriteString("data", subject.Data);
            w.WriteString("split", subject.Split);
            w.WriteString("checkpoint", subject.Checkpoint);
            w.WriteNumber("samples", r.Samples);
            w.WriteNumber("loss", r.Loss);
            w.NumberOrNull("accuracy", r.Accuracy);
            if (r.TopK is double topK)
            {
                w.WriteStartObject("top_k");
                w.WriteNumber("k", r.K);
                w.WriteNumber("accuracy", topK);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("top_k");
            }
            w.NumberOrNull("perplexity", r.Perplexity);
            Regression(w, r.Regression);
            Classification(w, r.Classification, classNames);
        });

    private static void Regression(Utf8JsonWriter w, RegressionReport? r)
    {
        if (r is null)
        {
            w.WriteNull("regression");
            return;
        }
        w.WriteStartObject("regression");
        w.WriteNumber("targets", r.Targets);
        w.WriteNumber("mse", r.Mse);
        w.WriteNumber("mae", r.Mae);
        w.WriteNumber("r2", r.R2);
        w.WriteEndObject();
    }

    private static void Classification(Utf8JsonWriter w, ClassificationReport? c, IReadOnlyList<string>? names)
    {
        if (c is null)
        {
            w.WriteNull("classification");
            return;
        }
        w.WriteStartObject("classification");
        w.WriteStartArray("per_class");
        foreach (var m in c.PerClass)
        {
            w.WriteStartObject();
            w.WriteNumber("class", m.Class);
            if (names is not null && m.Class < names.Count) w.WriteString("name", names[m.Class]);
            else w.WriteNull("name");
            w.WriteNumber("precision", m.Precision);
            w.WriteNumber("recall", m.Recall);
            w.WriteNumber("f1", m.F1);
            w.WriteNumber("support", m.Support);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        Average(w, "macro", c.Macro);
        Average(w, "weighted", c.Weighted);
        w.WriteStartArray("confusion");
        foreach (var row in c.Confusion)
        {
            w.WriteStartArray();
            foreach (long n in row) w.WriteNumberValue(n);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Average(Utf8JsonWriter w, string name, AveragedMetrics a)
    {
        w.WriteStartObject(name);
        w.WriteNumber("precision", a.Precision);
        w.WriteNumber("recall", a.Recall);
        w.WriteNumber("f1", a.F1);
        w.WriteNumber("support", a.Support);
        w.WriteEndObject();
    }
}
