using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

public enum LossKind { CrossEntropy, MeanSquaredError, BinaryCrossEntropy }

/// <summary>
/// The training loss over a batch (mean). Cross-entropy takes logits (B, C) against class ids (B), or (B, S, V)
/// against next tokens (B, S). When the model ends in softmax (Keras style) its outputs are probabilities, so
/// cross-entropy becomes the NLL of their log (Keras' categorical_crossentropy on probabilities).
/// BCE takes logits (binary_cross_entropy_with_logits); class ids are one-hot encoded to the output width.
/// </summary>
public sealed class LossFunction(LossKind kind, bool outputsAreProbabilities)
{
    private const double ProbabilityFloor = 1e-12;

    public LossKind Kind { get; } = kind;

    public static LossKind Resolve(LossChoice configured, TaskKind task) => configured switch
    {
        LossChoice.CrossEntropy => LossKind.CrossEntropy,
        LossChoice.Mse => LossKind.MeanSquaredError,
        LossChoice.Bce => LossKind.BinaryCrossEntropy,
        _ => task == TaskKind.Regression ? LossKind.MeanSquaredError : LossKind.CrossEntropy,
    };

    public Tensor Compute(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        Tensor loss = Kind switch
        {
            LossKind.CrossEntropy => CrossEntropy(output, target),
            LossKind.MeanSquaredError => nn.functional.mse_loss(output, target.to(output.dtype).reshape(output.shape)),
            _ => nn.functional.binary_cross_entropy_with_logits(output, BinaryTargets(output, target)),
        };
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Correct predictions in the batch (argmax over the last dim), and how many were predicted; (0, 0) when not a classification.</summary>
    public static (long Correct, long Count) CountCorrect(Tensor output, Tensor target)
    {
        if (target.dtype != ScalarType.Int64 || output.dim() != target.dim() + 1) return (0, 0);
        using var scope = NewDisposeScope();
        long correct = output.argmax(-1).eq(target).sum().item<long>();
        return (correct, target.numel());
    }

    /// <summary>
    /// The batch's correct predictions as a 0-dim int64 tensor, left on the device so a training loop can sum them
    /// without reading each step; null when not a classification (as <see cref="CountCorrect"/>'s (0, 0)).
    /// </summary>
    internal static Tensor? CorrectOnDevice(Tensor output, Tensor target) =>
        target.dtype != ScalarType.Int64 || output.dim() != target.dim() + 1 ? null : output.argmax(-1).eq(target).sum();

    private Tensor CrossEntropy(Tensor output, Tensor target)
    {
        var flat = output.reshape(-1, output.shape[^1]);   // (B·S, C)
        var ids = target.reshape(-1);                      // (B·S)
        if (!outputsAreProbabilities) return nn.functional.cross_entropy(flat, ids);
        using var floor = ProbabilityFloor.ToScalar();
        return nn.functional.nll_loss(flat.clamp_min(floor).log(), ids);
    }

    private static Tensor BinaryTargets(Tensor output, Tensor target)
    {
        if (target.dtype == ScalarType.Int64 && output.dim() == target.dim() + 1 && output.shape[^1] > 1)
        {
            return nn.functional.one_hot(target, output.shape[^1]).to(output.dtype);   // (B, C)
        }

        return target.to(output.dtype).reshape(output.shape);
    }
}
