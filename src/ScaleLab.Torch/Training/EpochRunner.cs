using System.Diagnostics;
using ScaleLab.Core.Runs;
using ScaleLab.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

/// <summary>What one pass over the training split gave. A non-finite loss stops the epoch at that step (Diverged).</summary>
public sealed record EpochOutcome(long Steps, long Samples, double MeanLoss, double? Accuracy, double Seconds, double LastLearningRate, double? DivergedLoss);

/// <summary>
/// One epoch of mini-batch training: forward, loss, backward, L1 subgradient, gradient clipping, optimizer step.
/// Dropout draws from torch's global generator, which the caller reseeds from (seed, epoch) first.
/// Every <see cref="StepLogInterval.For"/> steps (and after the last) it hands a StepMetrics to <c>onStepRecord</c>.
/// The window's loss sums the per-step value the divergence check already reads to the host, so step records add no
/// device synchronisation of their own.
/// </summary>
internal sealed class EpochRunner(
    nn.Module<Tensor, Tensor> model,
    Optimizer optimizer,
    LossFunction loss,
    LearningRateSchedule schedule,
    TrainingConfig config,
    Device device,
    ContentionWatch contention)
{
    public EpochOutcome Run(TensorDataSet train, int epoch, long firstGlobalStep, long stepsPerEpoch, ITrainingProgress progress, Action<StepMetrics> onStepRecord, CancellationToken ct)
    {
        long interval = StepLogInterval.For(stepsPerEpoch);
        var window = new StepWindow();
        model.train();
        var clock = Stopwatch.StartNew();
        var parameters = optimizer.Parameters.Select(p => p.Parameter).ToList();
        double lossSum = 0, lr = 0;
        var memoryRelease = new PeriodicMemoryRelease();
        long samples = 0, predicted = 0, step = 0;
        using var correct = zeros(1, dtype: ScalarType.Int64, device: device);   // summed on the device, read once at the end
        using var loader = new BatchLoader(train, config.BatchSize, shuffle: true, config.Seed, epoch, device) { Background = BatchLoader.PaysToPrefetch(device) };
        contention.Restart();
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

                if (LossFunction.CorrectOnDevice(output, batch.Targets) is { } right)
                {
                    correct.add_(right, Scalars.One);
                    predicted += batch.Targets.numel();
                }

                lossSum += value * batch.Size;
                samples += batch.Size;
                step++;
                double elapsed = clock.Elapsed.TotalSeconds;
                window.Add(value, batch.Size);
                if (step % interval == 0 || step == stepsPerEpoch)
                    onStepRecord(window.Close(epoch, firstGlobalStep + step, epoch - 1 + (double)step / stepsPerEpoch, lr, elapsed));
                progress.OnStep(new StepProgress(epoch, config.Epochs, step, stepsPerEpoch, firstGlobalStep + step, value, lr, samples / Math.Max(elapsed, 1e-9), elapsed));
                if (contention.AfterStep() is { } warning) progress.OnWarning(warning);
                memoryRelease.AfterStep(elapsed);
            }
        }

        if (window.Samples > 0)   // the data ran out before stepsPerEpoch: the last partial window still counts
            onStepRecord(window.Close(epoch, firstGlobalStep + step, epoch - 1 + (double)step / stepsPerEpoch, lr, clock.Elapsed.TotalSeconds));
        double? accuracy = predicted > 0 ? (double)correct.item<long>() / predicted : null;
        return new EpochOutcome(step, samples, lossSum / Math.Max(samples, 1), accuracy, clock.Elapsed.TotalSeconds, lr, null);
    }

    /// <summary>The steps since the last step record: sample-weighted loss sum, samples, and when the window began.</summary>
    private sealed class StepWindow
    {
        private double lossSum;
        private double startSeconds;

        public long Samples { get; private set; }

        public void Add(double loss, long samples)
        {
            lossSum += loss * samples;
            Samples += samples;
        }

        public StepMetrics Close(int epoch, long globalStep, double epochsDone, double lr, double nowSeconds)
        {
            var record = new StepMetrics(epoch, globalStep, epochsDone, lossSum / Samples, lr, Samples / Math.Max(nowSeconds - startSeconds, 1e-9));
            lossSum = 0;
            Samples = 0;
            startSeconds = nowSeconds;
            return record;
        }
    }

    /// <summary>∂(λ·Σ|w|)/∂w = λ·sign(w), added in place to every gradient.</summary>
    private static void AddL1Subgradient(IEnumerable<TorchSharp.Modules.Parameter> parameters, double l1)
    {
        using var noGrad = no_grad();
        using var strength = l1.ToScalar();
        foreach (var p in parameters)
        {
            if (p.grad is { } grad) grad.add_(p.sign(), strength);
        }
    }
}
