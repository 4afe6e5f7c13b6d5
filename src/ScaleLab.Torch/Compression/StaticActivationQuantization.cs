using ScaleLab.Torch.Building;
using ScaleLab.Torch.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Static int8 activation quantization for every linear and conv layer, simulated in fp32 (TorchSharp has no
/// quantized kernels, and its quantized matmul aborts the process): calibration runs training samples through the model
/// and records each layer input's min/max (the "MinMax" calibrator, range widened to include 0); evaluation then
/// rounds every layer input to uint8 with those fixed scales — q = clamp(round(x/s) + z, 0, 255), x̂ = (q − z)·s — so
/// the accuracy is what integer kernels with these scales would compute (up to fp32 accumulation order). Dense stacks
/// also run for real with the same scales through ONNX Runtime's integer kernels (<see cref="Onnx.OnnxPrecision.Int8Static"/>).
/// </summary>
public static class StaticActivationQuantization
{
    /// <summary>(scale, zero-point) of each quantized layer's input, by module name.</summary>
    public static Dictionary<string, (float Scale, int Zero)> Calibrate(nn.Module<Tensor, Tensor> model, TensorDataSet data, int samples, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var ranges = new Dictionary<string, (float Min, float Max)>();
        using var hooks = new HookSet();
        foreach (var (name, module) in QuantizedLayers(model))
        {
            ranges[name] = (0f, 0f);
            var remover = module.register_forward_pre_hook((_, input) =>
            {
                var (min, max) = ranges[name];
                ranges[name] = (Math.Min(min, input.min().item<float>()), Math.Max(max, input.max().item<float>()));
                return input;
            });
            hooks.Add(remover.remove);
        }
        model.eval();
        using (no_grad())
        {
            long n = Math.Min(samples, data.Count);
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = data.Inputs.narrow(0, start, Math.Min(batchSize, n - start)).to(device);
                model.call(batch);
            }
        }
        return ranges.ToDictionary(kv => kv.Key, kv =>
        {
            float scale = kv.Value.Max > kv.Value.Min ? (kv.Value.Max - kv.Value.Min) / 255f : 1f;
            return (scale, Math.Clamp((int)MathF.Round(-kv.Value.Min / scale), 0, 255));
        });
    }

    /// <summary>Installs the fake-quantizing input hooks; dispose the result to remove them.</summary>
    public static IDisposable Apply(nn.Module<Tensor, Tensor> model, IReadOnlyDictionary<string, (float Scale, int Zero)> ranges)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ranges);
        var hooks = new HookSet();
        foreach (var (name, module) in QuantizedLayers(model))
        {
            if (!ranges.TryGetValue(name, out var range)) continue;
            var remover = module.register_forward_pre_hook((_, input) =>
            {
                using Scalar scale = range.Scale.ToScalar(), zero = range.Zero.ToScalar(), high = 255.ToScalar();
                var q = input.div(scale).round_().add_(zero, Scalars.One).clamp_(Scalars.Zero, high);
                return q.sub_(zero).mul_(scale);
            });
            hooks.Add(remover.remove);
        }
        return hooks;
    }

    private static IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> QuantizedLayers(nn.Module model) =>
        model.named_modules()
            .Where(m => m.module is TorchSharp.Modules.Linear or Convolution)
            .Select(m => (m.name, (nn.Module<Tensor, Tensor>)m.module));

    private sealed class HookSet : IDisposable
    {
        private readonly List<Action> _removers = [];

        public void Add(Action remove) => _removers.Add(remove);

        public void Dispose()
        {
            foreach (var remove in _removers) remove();
            _removers.Clear();
        }
    }
}
