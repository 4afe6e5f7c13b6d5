using static TorchSharp.torch;

namespace ScaleLab.Torch.Data;

/// <summary>
/// One mini-batch: inputs (B, ...sample) and targets (B) / (B, k) / (B, S), already on the training device.
/// The consumer owns it: it was made on the loader's worker thread, outside any DisposeScope of the consumer, so
/// dispose it when the step is done.
/// </summary>
public readonly record struct Batch(Tensor Inputs, Tensor Targets) : IDisposable
{
    public long Size => Inputs.shape[0];

    public void Dispose()
    {
        Inputs?.Dispose();
        Targets?.Dispose();
    }
}
