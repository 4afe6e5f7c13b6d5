using System.Globalization;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ScaleLab.Torch.Evaluation;

/// <summary>
/// Runs a model over a split without gradients, in eval mode (dropout off), and returns loss and metrics for the task.
/// The model's train/eval mode is restored afterwards. Losses are summed per batch and divided once at the end, so
/// a short last batch weighs exactly its share.
/// </summary>
public static class Evaluator
{
    /// <summary>Top-k is reported for k = 5 (the ImageNet convention) when there are more than 5 classes.</summary>
    public const int TopK = 5;

    public static EvaluationResult Evaluate(Module<Tensor, Tensor> model, TensorDataSet data, TaskKind task, int classes, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            return task switch
            {
                TaskKind.Regression => Regression(model, data, batchSize, device),
                _ => Classification(model, data, task, classes, batchSize, device),
            };
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Classification (logits (B, C)) and language models (logits (B, S, V), one prediction per token).</summary>
    private static EvaluationResult Classification(Module<Tensor, Tensor> model, TensorDataSet data, TaskKind task, int classes, int batchSize, Device device)
    {
        bool lm = task == TaskKind.LanguageModel;
        int k = classes > TopK ? TopK : 0;
        var confusion = lm ? null : ClassificationMetrics.NewMatrix(classes);
        double lossSum = 0;
        long predictions = 0, correct = 0, topHits = 0;
        using var loader = new BatchLoader(data, batchSize, shuffle: false, seed: 0, epoch: 0, device);
        foreach (var batch in loader)
        {
            using var b = batch;
            using var scope = torch.NewDisposeScope();
            var output = model.forward(b.Inputs);                                   // (B, C) or (B, S, V)
            CheckOutput(output, b.Targets, classes, lm, data.Name);
            var logits = output.reshape(-1, classes);                               // (B·S, C)
            var truth = b.Targets.reshape(-1);                                      // (B·S)
            lossSum += functional.cross_entropy(logits, truth, reduction: Reduction.Sum).item<float>();
            var predicted = logits.argmax(1);                                       // (B·S)
            correct += predicted.eq(truth).sum().item<long>();
            predictions += truth.shape[0];
            if (k > 0)
            {
                var (_, top) = logits.topk(k, dim: 1);                              // (B·S, k)
                topHits += top.eq(truth.unsqueeze(1)).sum().item<long>();           // the true id appears at most once
            }
            if (confusion is not null)
                ClassificationMetrics.Accumulate(confusion, truth.cpu().data<long>().ToArray(), predicted.cpu().data<long>().ToArray());
        }
        if (predictions == 0)
            return new EvaluationResult(0, double.NaN, null, null, k, null, null, null);
        double loss = lossSum / predictions;
        return new EvaluationResult(
            data.Count, loss, (double)correct / predictions, k > 0 ? (double)topHits / predictions : null, k,
            confusion is null ? null : ClassificationMetrics.Report(confusion), null,
            lm ? EvaluationResult.PerplexityOf(loss) : null);
    }

    private static EvaluationResult Regression(Module<Tensor, Tensor> model, TensorDataSet data, int batchSize, Device device)
    {
        int targets = data.Targets.Dimensions > 1 ? (int)data.Targets.shape[1] : 1;
        var metrics = new RegressionMetrics(targets);
        using var loader = new BatchLoader(data, batchSize, shuffle: false, seed: 0, epoch: 0, device);
        foreach (var batch in loader)
        {
            using var b = batch;
            using var scope = torch.NewDisposeScope();
            var output = model.forward(b.Inputs);                                   // (B, k)
            if (output.numel() != b.Targets.numel())
                throw new DataException(data.Name,
                    $"the model outputs {Shape(output)} per batch but the regression targets are {Shape(b.Targets)}");
            var truth = b.Targets.to_type(ScalarType.Float32).cpu().contiguous();
            var predicted = output.reshape(truth.shape).to_type(ScalarType.Float32).cpu().contiguous();
            metrics.Add(truth.data<float>().ToArray(), predicted.data<float>().ToArray());
        }
        var report = metrics.Report();
        return new EvaluationResult(report.Samples, report.Samples == 0 ? double.NaN : report.Mse, null, null, 0, null, report, null);
    }

    private static void CheckOutput(Tensor output, Tensor targets, int classes, bool lm, string name)
    {
        bool ok = lm
            ? output.Dimensions == 3 && output.shape[0] == targets.shape[0] && output.shape[1] == targets.shape[1] && output.shape[2] == classes
            : output.Dimensions == 2 && output.shape[0] == targets.shape[0] && output.shape[1] == classes;
        if (!ok)
            throw new DataException(name,
                $"the model outputs {Shape(output)} for targets {Shape(targets)}; expected {(lm ? "(B, S, " : "(B, ")}{classes.ToString(CultureInfo.InvariantCulture)}) logits");
    }

    private static string Shape(Tensor t) => "(" + string.Join(", ", t.shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
}
