using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Evaluation;

public sealed class EvaluatorTests
{
    /// <summary>A 3→3 linear layer with identity weights: the logits are the inputs themselves.</summary>
    private static nn.Module<Tensor, Tensor> Identity(int n)
    {
        var linear = nn.Linear(n, n);
        using (no_grad())
        {
            linear.weight!.copy_(eye(n));
            linear.bias!.zero_();
        }
        return linear;
    }

    [Fact]
    public void Evaluate_Classification_GivesHandComputedLossAccuracyAndConfusion()
    {
        // Logits (2,0,0) for classes 0,0,1 → predictions 0,0,0; logits (0,0,2) for class 2 → 2.
        var inputs = tensor(new float[] { 2, 0, 0, 2, 0, 0, 2, 0, 0, 0, 0, 2 }, [4, 3]);
        var targets = tensor(new long[] { 0, 0, 1, 2 });
        using var data = new TensorDataSet(inputs, targets, "toy");
        using var model = Identity(3);
        model.train();
        var r = Evaluator.Evaluate(model, data, TaskKind.Classification, 3, batchSize: 3, CPU);
        double right = Math.Log(1 + 2 * Math.Exp(-2));   // −log softmax of the 2 among (2, 0, 0)
        double wrong = 2 + right;                        // −log softmax of a 0 among (2, 0, 0)
        Assert.Equal((3 * right + wrong) / 4, r.Loss, 5);
        Assert.Equal(0.75, r.Accuracy);
        Assert.Equal(4, r.Samples);
        Assert.Equal([[2L, 0, 0], [1L, 0, 0], [0L, 0, 1]], r.Classification!.Confusion);
        Assert.Null(r.TopK);                             // 3 classes: top-5 would be trivially 1
        Assert.True(model.training);                     // train mode restored
    }

    [Fact]
    public void Evaluate_TenClasses_ReportsTop5()
    {
        // Logits rank class i highest-first as 9, 8, 7, ...: classes 9..5 are in the top 5, 4..0 are not.
        var row = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var inputs = tensor(Enumerable.Repeat(row, 10).SelectMany(r => r).ToArray(), [10, 10]);
        using var classes = 10.ToScalar();
        var targets = arange(Scalars.Zero, classes, Scalars.One, dtype: ScalarType.Int64);
        using var data = new TensorDataSet(inputs, targets, "ranks");
        using var model = Identity(10);
        var r = Evaluator.Evaluate(model, data, TaskKind.Classification, 10, 4, CPU);
        Assert.Equal(5, r.K);
        Assert.Equal(0.5, r.TopK);
        Assert.Equal(0.1, r.Accuracy);
    }

    [Fact]
    public void Evaluate_Regression_GivesMseMaeAndR2()
    {
        var linear = nn.Linear(1, 1);
        using (no_grad())
        {
            using var two = 2.ToScalar();
            linear.weight!.fill_(two);
            linear.bias!.zero_();
        }
        using var data = new TensorDataSet(tensor(new float[] { 1, 2, 3 }, [3, 1]), tensor(new float[] { 2, 4, 7 }, [3, 1]), "line");
        var r = Evaluator.Evaluate(linear, data, TaskKind.Regression, 0, 2, CPU);
        Assert.Equal(1 / 3.0, r.Loss, 6);                // predictions 2, 4, 6
        Assert.Equal(1 / 3.0, r.Regression!.Mae, 6);
        Assert.Equal(1 - 1 / (38 / 3.0), r.Regression.R2, 6);   // SST = Σ(y − 13/3)² = 38/3
    }

    /// <summary>Uniform logits over V tokens: cross-entropy ln V per token, so perplexity is exactly V.</summary>
    private sealed class UniformLanguageModel(int vocabulary) : nn.Module<Tensor, Tensor>("uniform")
    {
        public override Tensor forward(Tensor tokens) => zeros(tokens.shape[0], tokens.shape[1], vocabulary);   // (B, S, V)
    }

    [Fact]
    public void Evaluate_UniformLanguageModel_HasPerplexityEqualToVocabulary()
    {
        using var data = new TensorDataSet(zeros([6, 5], ScalarType.Int64), ones([6, 5], ScalarType.Int64), "tokens");
        using var model = new UniformLanguageModel(7);
        var r = Evaluator.Evaluate(model, data, TaskKind.LanguageModel, 7, 4, CPU);
        Assert.Equal(Math.Log(7), r.Loss, 5);
        Assert.Equal(7.0, r.Perplexity!.Value, 4);
        Assert.Null(r.Classification);
    }

    [Fact]
    public void Evaluate_ModelWithWrongOutputWidth_NamesBothShapes()
    {
        using var data = new TensorDataSet(zeros(2, 3), zeros([2], ScalarType.Int64), "toy");
        using var model = Identity(3);
        var ex = Assert.Throws<DataException>(() => Evaluator.Evaluate(model, data, TaskKind.Classification, 10, 2, CPU));
        Assert.Equal("toy: the model outputs (2, 3) for targets (2); expected (B, 10) logits", ex.Message);
    }
}
