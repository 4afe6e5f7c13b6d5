using ScaleLab.Core.Spec;
using ScaleLab.Torch.Training;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Training;

public sealed class LossFunctionTests
{
    private static readonly float[] LogitValues = [2f, -1f, 0.5f, 0.1f, 0.2f, 3f];

    [Fact]
    public void CrossEntropy_OnSoftmaxOutputs_EqualsCrossEntropyOnTheLogits()
    {
        using var logits = tensor(LogitValues, [2, 3]);
        using var targets = tensor(new long[] { 0, 2 });
        using var fromLogits = new LossFunction(LossKind.CrossEntropy, outputsAreProbabilities: false).Compute(logits, targets);
        using var probabilities = logits.softmax(-1);
        using var fromProbabilities = new LossFunction(LossKind.CrossEntropy, outputsAreProbabilities: true).Compute(probabilities, targets);
        Assert.Equal(fromLogits.item<float>(), fromProbabilities.item<float>(), 5);
    }

    [Fact]
    public void BinaryCrossEntropy_WithClassIds_OneHotEncodesThem()
    {
        using var logits = tensor(LogitValues, [2, 3]);
        using var ids = tensor(new long[] { 0, 2 });
        using var oneHot = tensor(new float[] { 1, 0, 0, 0, 0, 1 }, [2, 3]);
        var bce = new LossFunction(LossKind.BinaryCrossEntropy, false);
        using var a = bce.Compute(logits, ids);
        using var b = nn.functional.binary_cross_entropy_with_logits(logits, oneHot);
        Assert.Equal(b.item<float>(), a.item<float>(), 6);
    }

    [Fact]
    public void CrossEntropy_LanguageModel_AveragesOverEveryToken()
    {
        using var logits = zeros(2, 4, 5);   // uniform over 5 tokens
        using var next = zeros(2, 4, dtype: ScalarType.Int64);
        using var loss = new LossFunction(LossKind.CrossEntropy, false).Compute(logits, next);
        Assert.Equal(Math.Log(5), loss.item<float>(), 5);
    }

    [Fact]
    public void Resolve_Auto_PicksMseForRegressionAndCrossEntropyOtherwise()
    {
        Assert.Equal(LossKind.MeanSquaredError, LossFunction.Resolve(LossChoice.Auto, TaskKind.Regression));
        Assert.Equal(LossKind.CrossEntropy, LossFunction.Resolve(LossChoice.Auto, TaskKind.LanguageModel));
        Assert.Equal(LossKind.BinaryCrossEntropy, LossFunction.Resolve(LossChoice.Bce, TaskKind.Classification));
    }
}
