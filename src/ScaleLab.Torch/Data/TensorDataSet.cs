using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Data;

/// <summary>
/// One in-memory split. Inputs are float32 (N, ...sample) or int64 token ids (N, S); targets are int64 (N) class ids,
/// float32 (N, k) regression targets, or int64 (N, S) next tokens. The set owns its tensors and disposes them.
/// </summary>
public sealed class TensorDataSet : IDisposable
{
    public TensorDataSet(Tensor inputs, Tensor targets, string name)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(name);
        if (inputs.Dimensions == 0 || targets.Dimensions == 0 || inputs.shape[0] != targets.shape[0])
            throw new ArgumentException(
                $"data set '{name}': inputs ({string.Join('x', inputs.shape)}) and targets ({string.Join('x', targets.shape)}) " +
                "must have the same first (sample) dimension");
        Inputs = inputs;
        Targets = targets;
        Name = name;
    }

    public Tensor Inputs { get; }

    public Tensor Targets { get; }

    public long Count => Inputs.shape[0];

    /// <summary>"fashion-mnist/train" and the like, for messages and run records.</summary>
    public string Name { get; }

    /// <summary>
    /// Samples [start, start + count) as a new set. The tensors are views sharing storage with this set
    /// (cheap), so disposing either set leaves the other's data intact: libtorch keeps storage alive while a view is.
    /// </summary>
    public TensorDataSet Slice(long start, long count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count),
                $"slice [{start}, {start + count}) is outside data set '{Name}' of {Count} samples");
        return new TensorDataSet(Inputs.narrow(0, start, count), Targets.narrow(0, start, count), Name);
    }

    /// <summary>Same data under another name (e.g. "fashion-mnist/validation"); shares storage.</summary>
    public TensorDataSet Rename(string name) => new(Inputs.alias(), Targets.alias(), name);

    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
    }
}
