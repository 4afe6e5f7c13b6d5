using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Quantization-aware fine-tuning with the straight-through estimator (Bengio et al. 2013; Jacob et al. 2018 §3):
/// the forward and backward passes run on fake-quantized weights (quantize → dequantize, per output channel), and the
/// gradient found there is applied to the fp32 master weights as if rounding had slope 1. Implemented without
/// parametrizations (TorchSharp has none): before each forward the master weights are saved and replaced by their
/// fake-quantized values; after backward the masters are put back, and the optimizer steps them.
/// </summary>
public sealed class QuantizationAwareTraining : IDisposable
{
    private readonly List<(Tensor Parameter, Tensor Master)> _weights = [];
    private readonly int _bits;

    /// <param name="bits">8 for int8 (levels −127..127), 4 for int4 (−7..7), per output channel symmetric.</param>
    public QuantizationAwareTraining(nn.Module model, int bits = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (bits is not (4 or 8)) throw new ArgumentOutOfRangeException(nameof(bits), bits, "QAT supports 8 or 4 bits");
        _bits = bits;
        var names = MagnitudePruning.PrunableParameters(model).ToHashSet();
        foreach (var (name, p) in model.named_parameters())
            if (names.Contains(name)) _weights.Add((p, zeros_like(p)));
    }

    public FineTuneHooks Hooks(FineTuneHooks? inner = null) => new()
    {
        Loss = inner?.Loss,
        BeforeForward = step => { inner?.BeforeForward?.Invoke(step); SwapInFakeQuantized(); },
        AfterBackward = () => { RestoreMasters(); inner?.AfterBackward?.Invoke(); },
        AfterStep = inner?.AfterStep,
    };

    /// <summary>Per output channel symmetric fake quantization: round(w / s)·s with s = max|w_row| / qmax.</summary>
    public static Tensor FakeQuantize(Tensor w, int bits)
    {
        ArgumentNullException.ThrowIfNull(w);
        double qmax = bits == 8 ? 127 : 7;
        using Scalar floor = 1e-12.ToScalar(), top = qmax.ToScalar(), bottom = (-qmax).ToScalar();
        using var rows = w.flatten(1);
        using var absMax = rows.abs().amax([1], keepdim: true).clamp_min(floor);
        using var scale = absMax.div(top);
        using var q = (rows / scale).round().clamp(bottom, top);
        using var back = q * scale;
        return back.reshape(w.shape);
    }

    private void SwapInFakeQuantized()
    {
        using var noGrad = no_grad();
        foreach (var (p, master) in _weights)
        {
            master.copy_(p);
            using var fq = FakeQuantize(p, _bits);
            p.copy_(fq);
        }
    }

    private void RestoreMasters()
    {
        using var noGrad = no_grad();
        foreach (var (p, master) in _weights) p.copy_(master);
    }

    public void Dispose()
    {
        foreach (var (_, master) in _weights) master.Dispose();
    }
}
