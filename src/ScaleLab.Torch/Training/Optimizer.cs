using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

/// <summary>
/// A parameter-update rule whose whole state is named tensors plus a step count, so a checkpoint can hold it
/// in safetensors and a resumed run continues bit for bit. State tensors are created (zero) up front: for every
/// rule here a zero buffer gives exactly PyTorch's first step (e.g. SGD's momentum buffer μ·0 + g = g).
/// Update formulas follow the torch.optim documentation of each class.
/// With <c>flat</c> (the default) the parameters, their gradients and every state slot are each one buffer
/// (<see cref="FlatParameters"/>) and a step is one pass of the rule over all of them; the state tensors named in
/// <see cref="State"/> are views of those buffers, so checkpoints are the same either way. The one difference: a flat
/// step also updates a parameter that received no gradient, with a zero one (as the per-tensor path does from the
/// second step on, ZeroGrad zeroing in place); for Adam and RMSprop without weight decay that leaves it unchanged.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> _state = [];
    private readonly Dictionary<string, Tensor> _buffers = [];   // flat: one buffer per slot
    private readonly FlatParameters? _flat;

    protected Optimizer(IReadOnlyList<(string Name, Parameter Parameter)> parameters, bool flat)
    {
        Parameters = parameters;
        _flat = flat ? FlatParameters.TryCreate(parameters) : null;
    }

    /// <summary>Whether the step runs once over one buffer of all parameters (false: once per parameter).</summary>
    public bool IsFlat => _flat is not null;

    /// <summary>Tensors an update runs over: the flat buffer's chunks when flat, else one per parameter; slots are per group.</summary>
    protected int Groups => _flat is null ? Parameters.Count : _flat.Chunks.Count;

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
        if (_flat is not null)
        {
            _flat.CheckIntact();
            for (int c = 0; c < _flat.Chunks.Count; c++)
            {
                using var chunkScope = NewDisposeScope();   // as per parameter below: one chunk's temporaries at a time
                Update(c, _flat.ValueChunks[c], _flat.GradientChunks[c], lr);
            }

            return;
        }

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
        if (_flat is not null)
        {
            _flat.Gradients.zero_();
            return;
        }

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

    /// <summary>A zero state tensor for <paramref name="group"/>; when flat, one buffer whose per-parameter views are the named state.</summary>
    protected Tensor AddSlot(int group, string slot)
    {
        if (_flat is null)
        {
            var (name, p) = Parameters[group];
            var tensor = zeros_like(p).DetachFromDisposeScope();
            _state.Add(($"{name}.{slot}", tensor));
            return tensor;
        }

        // The slot's first request makes its buffer and names the per-parameter views; every group gets its chunk of it.
        if (!_buffers.TryGetValue(slot, out var buffer))
        {
            buffer = zeros_like(_flat.Values).DetachFromDisposeScope();
            _buffers.Add(slot, buffer);
            for (int i = 0; i < Parameters.Count; i++) _state.Add(($"{Parameters[i].Name}.{slot}", _flat.Slice(buffer, i).DetachFromDisposeScope()));
        }

        return _flat.Chunk(buffer, group);
    }

    /// <summary>One update of group <paramref name="index"/>: a parameter, or all of them when flat.</summary>
    protected abstract void Update(int index, Tensor p, Tensor grad, double lr);

    public void Dispose()
    {
        foreach (var (_, tensor) in _state) tensor.Dispose();
        _state.Clear();
        foreach (var buffer in _buffers.Values) buffer.Dispose();
        _buffers.Clear();
        _flat?.Dispose();
        GC.SuppressFinalize(this);
    }
}
