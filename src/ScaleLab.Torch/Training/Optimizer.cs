using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

/// <summary>
/// A parameter-update rule whose whole state is named tensors plus a step count, so a checkpoint can hold it
/// in safetensors and a resumed run continues bit for bit. State tensors are created (zero) up front: for every
/// rule here a zero buffer gives exactly PyTorch's first step (e.g. SGD's momentum buffer μ·0 + g = g).
/// Update formulas follow the torch.optim documentation of each class.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> _state = [];

    protected Optimizer(IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        Parameters = parameters;
    }

    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>Updates taken so far (Adam's t).</summary>
    public long Steps { get; set; }

    /// <summary>Every state tensor, named "{parameter}.{slot}", e.g. "layers.1.weight.exp_avg".</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> State => _state;

    /// <summary>One update with learning rate <paramref name="lr"/>; gradients must be populated.</summary>
    public void Step(double lr)
    {
        Steps++;
        using var noGrad = no_grad();
        for (int i = 0; i < Parameters.Count; i++)
        {
            // One scope per parameter: an update's temporaries (Adam's denominator) are freed before the next tensor's
            // are made, so the step needs one temporary the size of the largest tensor, not one per parameter.
            using var scope = NewDisposeScope();
            var p = Parameters[i].Parameter;
            if (p.grad is not { } grad) continue;
            Update(i, p, grad, lr);
        }
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in Parameters) p.grad?.zero_();
    }

    /// <summary>Copies saved state into this optimizer; names and shapes must match.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> saved, long steps)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in _state)
        {
            if (!saved.TryGetValue(name, out var value)) throw new InvalidDataException($"optimizer state '{name}' is missing from the checkpoint");
            tensor.copy_(value);
        }

        Steps = steps;
    }

    protected Tensor AddSlot(int parameterIndex, string slot)
    {
        var (name, p) = Parameters[parameterIndex];
        var tensor = zeros_like(p).DetachFromDisposeScope();
        _state.Add(($"{name}.{slot}", tensor));
        return tensor;
    }

    protected abstract void Update(int index, Tensor p, Tensor grad, double lr);

    public void Dispose()
    {
        foreach (var (_, tensor) in _state) tensor.Dispose();
        _state.Clear();
        GC.SuppressFinalize(this);
    }
}
