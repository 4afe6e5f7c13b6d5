using System.Diagnostics;
using ScaleLab.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

/// <summary>What one pass over the training split gave. A non-finite loss stops the epoch at that step (Diverged).</summary>
public sealed record EpochOutcome(long Steps, long Samples, double MeanLoss, double? Accuracy, double Seconds, double LastLearningRate, double? DivergedLoss);

/// <summary>
/// One epoch of mini-batch training: forward, loss, backward, L1 subgradient, gradient clipping, optimizer step.
/// Dropout draws from torch's global generator, which the caller reseeds from (seed, epoch) first.
/// </summary>
internal sealed class EpochRunner(
    nn.Module<Tensor, Tensor> model,
    Optimizer optimizer,
    LossFunction loss,
    LearningRateSchedule schedule,
    TrainingConfig config,
    Device device)
{
    public EpochOutcome Run(TensorDataSet train, int epoch, long firstGlobalStep, long stepsPerEpoch, ITrainingProgress progress, CancellationToken ct)
    {
        model.train();
        var clock = Stopwatch.StartNew();
        var parameters = optimizer.Parameters.Select(p => p.Parameter).ToList();
        double lossSum = 0, lr = 0;
        long samples = 0, correct = 0, predicted = 0, step = 0;
        using var loader = new BatchLoader(train, config.BatchSize, shuffle: true, config.Seed, epoch, device);
        foreach (var batch in loader)
        {
            using (batch)
            {
                if (step == stepsPerEpoch) break;
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                lr = schedule.At(firstGlobalStep + step, epoch - 1);
                var output = model.call(batch.Inputs);
                var batchLoss = loss.Compute(output, batch.Targets);
                double value = batchLoss.item<float>();
                if (!double.IsFinite(value)) return new EpochOutcome(step + 1, samples, double.NaN, null, clock.Elapsed.TotalSeconds, lr, value);

                optimizer.ZeroGrad();
                batchLoss.backward();
                if (config.L1 > 0) AddL1Subgradient(parameters, config.L1);
                if (config.GradClip is double clip) nn.utils.clip_grad_norm_(parameters, clip);
                optimizer.Step(lr);

                var (right, count) = LossFunction.CountCorrect(output, batch.Targets);
                correct += right;
                predicted += count;
                lossSum += value * batch.Size;
                samples += batch.Size;
                step++;
                double elapsed = clock.Elapsed.TotalSeconds;
                progress.OnStep(new StepProgress(epoch, config.Epochs, step, stepsPerEpoch, firstGlobalStep + step, value, lr, samples / Math.Max(elapsed, 1e-9), elapsed));
            }
        }

        double? accuracy = predicted > 0 ? (double)correct / predicted : null;
        return new EpochOutcome(step, samples, lossSum / Math.Max(samples, 1), accuracy, clock.Elapsed.TotalSeconds, lr, null);
    }

    /// <summary>∂(λ·Σ|w|)/∂w = λ·sign(w), added in place to every gradient.</summary>
    private static void AddL1Subgradient(IEnumerable<TorchSharp.Modules.Parameter> parameters, double l1)
    {
        using var noGrad = no_grad();
        foreach (var p in parameters)
        {
            if (p.grad is { } grad) grad.add_(p.sign(), l1);
        }
    }
}
