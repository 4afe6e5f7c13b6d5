using ScaleLab.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

public sealed record FineTuneOptions(int Epochs, int BatchSize = 128, double LearningRate = 1e-3, int Seed = 0);

/// <summary>
/// What a compression method changes in a fine-tuning step. Every member is optional:
/// pruning re-applies its masks after the step; quantization-aware training swaps in fake-quantized weights for the
/// forward/backward pass (<see cref="BeforeForward"/>/<see cref="AfterBackward"/>); distillation replaces the loss.
/// </summary>
public sealed class FineTuneHooks
{
    /// <summary>(logits, batch) → loss. Default: cross-entropy against the labels.</summary>
    public Func<Tensor, Batch, Tensor>? Loss { get; init; }

    public Action<long>? BeforeForward { get; init; }

    public Action? AfterBackward { get; init; }

    public Action<long>? AfterStep { get; init; }
}

/// <summary>
/// The short Adam fine-tuning every compression method uses to recover accuracy (classification). Deliberately small:
/// a full run with schedules, checkpoints and logs is <c>scalelab train</c>; this loop only has to host the hooks that
/// keep a pruned model sparse, a quantized one quantized, or a student listening to its teacher.
/// </summary>
public static class FineTuner
{
    /// <returns>The mean training loss of each epoch.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "the loader is disposed by its using block; the analyzer takes the foreach over it for a second, undisposed owner")]
    public static IReadOnlyList<double> Run(nn.Module<Tensor, Tensor> model, TensorDataSet train, FineTuneOptions options, Device device, FineTuneHooks hooks, Action<int, double>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hooks);
        var losses = new List<double>();
        using var optimizer = optim.Adam(model.parameters(), options.LearningRate);
        long step = 0;
        model.train();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double sum = 0;
            long batches = 0;
            using (var loader = new BatchLoader(train, options.BatchSize, shuffle: true, options.Seed, epoch, device))
            {
                foreach (var batch in loader)
                {
                    using (batch)
                    using (var scope = NewDisposeScope())
                    {
                        hooks.BeforeForward?.Invoke(step);
                        optimizer.zero_grad();
                        var logits = model.call(batch.Inputs);
                        var loss = hooks.Loss?.Invoke(logits, batch) ?? nn.functional.cross_entropy(logits, batch.Targets);
                        loss.backward();
                        hooks.AfterBackward?.Invoke();
                        optimizer.step();
                        hooks.AfterStep?.Invoke(step);
                        sum += loss.item<float>();
                        batches++;
                        step++;
                    }
                }
            }
            double mean = sum / Math.Max(1, batches);
            losses.Add(mean);
            onEpoch?.Invoke(epoch + 1, mean);
        }
        model.eval();
        return losses;
    }
}
