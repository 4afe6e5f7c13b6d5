using ScaleLab.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Knowledge distillation (Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a Neural Network", §2):
/// loss = α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α)·CE(z_s, y). The T² keeps the soft term's gradients on
/// the same scale as the hard term's when T changes (the paper's footnote). α = 0 is training from scratch.
/// </summary>
public sealed record DistillationLoss(nn.Module<Tensor, Tensor> Teacher, double Temperature = 4.0, double Alpha = 0.7)
{
    public Tensor Compute(Tensor studentLogits, Batch batch)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        Tensor teacherLogits;
        using (no_grad()) teacherLogits = Teacher.call(batch.Inputs);
        double t = Temperature;
        using Scalar temperature = t.ToScalar(), classes = studentLogits.shape[1].ToScalar(),
            softWeight = (Alpha * t * t).ToScalar(), hardWeight = (1 - Alpha).ToScalar();
        var soft = nn.functional.kl_div(
            nn.functional.log_softmax(studentLogits.div(temperature), 1),
            nn.functional.softmax(teacherLogits.div(temperature), 1),
            reduction: nn.Reduction.Mean);
        // kl_div with Mean averages over every element; multiply by classes to get the per-sample sum (batchmean).
        var perSample = soft.mul(classes);
        var hard = nn.functional.cross_entropy(studentLogits, batch.Targets);
        return perSample.mul(softWeight).add(hard.mul(hardWeight), Scalars.One);
    }
}
