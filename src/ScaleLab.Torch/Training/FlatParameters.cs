using System.Runtime.InteropServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

/// <summary>
/// All parameters of one optimizer laid end to end in one buffer, and their gradients in another: every parameter
/// (and its <c>.grad</c>) becomes a view of its slice, so an update rule runs once over the whole model, a handful of
/// large element-wise ops instead of that handful per tensor (the per-op cost in libtorch and TorchSharp is a few
/// microseconds, which for small models was most of the optimizer's time). Autograd accumulates into a defined
/// <c>.grad</c> in place, and <see cref="Optimizer.ZeroGrad"/> zeroes in place, so the views stay put.
/// The update runs over <see cref="Chunks"/> no longer than the largest parameter (or <see cref="MinimumChunk"/>), so
/// its temporaries (Adam's denominator) stay the size of the largest tensor, as in the per-tensor step and as
/// <c>StepMemoryEstimator</c> counts them; a small model is one chunk.
/// </summary>
internal sealed partial class FlatParameters : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    private readonly long[] _offsets;

    /// <summary>Elements below which a chunk is not split further: a few hundred KiB, far below what memory is measured to.</summary>
    public const long MinimumChunk = 1 << 16;

    private readonly List<Tensor> _chunkViews = [];

    private FlatParameters(IReadOnlyList<(string Name, Parameter Parameter)> parameters, long[] offsets, Tensor values, Tensor gradients)
    {
        _parameters = parameters;
        _offsets = offsets;
        Values = values;
        Gradients = gradients;
        long largest = Math.Max(MinimumChunk, parameters.Max(p => p.Parameter.numel()));
        var chunks = new List<(long Start, long Length)>();
        for (long start = 0; start < offsets[^1]; start += largest) chunks.Add((start, Math.Min(largest, offsets[^1] - start)));
        Chunks = chunks;
        ValueChunks = [.. chunks.Select(c => Keep(values.narrow(0, c.Start, c.Length)))];
        GradientChunks = [.. chunks.Select(c => Keep(gradients.narrow(0, c.Start, c.Length)))];
    }

    /// <summary>(start, length) of each stretch an update runs over.</summary>
    public IReadOnlyList<(long Start, long Length)> Chunks { get; }

    /// <summary>Views of <see cref="Values"/>, one per chunk.</summary>
    public IReadOnlyList<Tensor> ValueChunks { get; }

    /// <summary>Views of <see cref="Gradients"/>, one per chunk.</summary>
    public IReadOnlyList<Tensor> GradientChunks { get; }

    /// <summary>A view of <paramref name="flat"/> (laid out like <see cref="Values"/>) for chunk <paramref name="chunk"/>, owned here.</summary>
    public Tensor Chunk(Tensor flat, int chunk) => Keep(flat.narrow(0, Chunks[chunk].Start, Chunks[chunk].Length));

    private Tensor Keep(Tensor view)
    {
        view.DetachFromDisposeScope();
        _chunkViews.Add(view);
        return view;
    }

    /// <summary>Every parameter, end to end: (Σ numel).</summary>
    public Tensor Values { get; }

    /// <summary>Every gradient, end to end, in the same layout.</summary>
    public Tensor Gradients { get; }

    /// <summary>
    /// Moves the parameters into one buffer, or returns null when they cannot share one: mixed dtypes or devices,
    /// a parameter listed twice (tied), or not a floating-point tensor.
    /// </summary>
    public static FlatParameters? TryCreate(IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        if (parameters.Count == 0) return null;
        var first = parameters[0].Parameter;
        var seen = new HashSet<IntPtr>();
        foreach (var (_, p) in parameters)
        {
            if (p.dtype != first.dtype || p.device_type != first.device_type || p.device_index != first.device_index || !p.is_floating_point()) return null;
            if (!seen.Add(DataPointer(p))) return null;
        }

        var offsets = new long[parameters.Count + 1];
        for (int i = 0; i < parameters.Count; i++) offsets[i + 1] = offsets[i] + parameters[i].Parameter.numel();
        using var noGrad = no_grad();
        var values = empty(offsets[^1], first.dtype, first.device).DetachFromDisposeScope();
        var gradients = zeros(offsets[^1], first.dtype, first.device).DetachFromDisposeScope();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i].Parameter;
            long n = offsets[i + 1] - offsets[i];
            using var value = values.narrow(0, offsets[i], n).view(p.shape);
            using var gradient = gradients.narrow(0, offsets[i], n).view(p.shape);
            value.copy_(p);
            if (p.grad is { } existing) gradient.copy_(existing);
            p.set_(value);
            p.grad = gradient;
        }

        return new FlatParameters(parameters, offsets, values, gradients);
    }

    /// <summary>A view, shaped like parameter <paramref name="index"/>, of its slice of a flat tensor laid out like <see cref="Values"/>.</summary>
    public Tensor Slice(Tensor flat, int index) =>
        flat.narrow(0, _offsets[index], _offsets[index + 1] - _offsets[index]).view(_parameters[index].Parameter.shape);

    /// <summary>
    /// Throws when a parameter or its gradient no longer lies in the buffers (something assigned a new tensor to it
    /// after the optimizer was made): its updates would silently go nowhere.
    /// </summary>
    public void CheckIntact()
    {
        long elementSize = Values.ElementSize;
        IntPtr values = DataPointer(Values), gradients = DataPointer(Gradients);
        for (int i = 0; i < _parameters.Count; i++)
        {
            var (name, p) = _parameters[i];
            long offset = _offsets[i] * elementSize;
            using var g = p.grad;
            if (DataPointer(p) != values + (nint)offset || g is null || DataPointer(g) != gradients + (nint)offset)
                throw new InvalidOperationException($"parameter '{name}' (or its gradient) was replaced after its optimizer was created; create the optimizer after the model is final");
        }
    }

    /// <summary>The address of the tensor's first element (at::Tensor::data_ptr, storage offset included).</summary>
    private static IntPtr DataPointer(Tensor tensor) => THSTensor_data(tensor.Handle);

    // TorchSharp 0.107 does not expose data_ptr for tensors of any dtype; its native library does, and is loaded by then.
    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_data(IntPtr handle);

    public void Dispose()
    {
        foreach (var view in _chunkViews) view.Dispose();
        _chunkViews.Clear();
        Values.Dispose();
        Gradients.Dispose();
    }
}
