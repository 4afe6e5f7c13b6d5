using ScaleLab.Core.Spec;
using ScaleLab.Torch.Compression.Onnx;
using ScaleLab.Torch.Data;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Static activation quantization needs each linear layer's input range fixed in advance. Calibration runs the fp32
/// network over training samples and takes the min/max of every layer's input (the TensorRT/ONNX Runtime "MinMax"
/// calibrator), widened to include 0, mapped to uint8 asymmetric: scale = (max − min)/255, zero = round(−min/scale).
/// Too few or unrepresentative samples clip real activations; that is why the result always reports accuracy.
/// </summary>
public static class Int8Calibration
{
    public static IReadOnlyList<(float Scale, byte Zero)> Calibrate(DenseStack stack, TensorDataSet train, int samples)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(train);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long n = Math.Min(samples, train.Count);
        var h = train.Inputs.narrow(0, 0, n).reshape(n, -1).cpu();
        var ranges = new List<(float, byte)>();
        foreach (var layer in stack.Layers)
        {
            float min = Math.Min(0f, h.min().item<float>());
            float max = Math.Max(0f, h.max().item<float>());
            float scale = max > min ? (max - min) / 255f : 1f;
            ranges.Add((scale, (byte)Math.Clamp((int)MathF.Round(-min / scale), 0, 255)));
            var w = tensor(layer.Weight).reshape(layer.Out, layer.In);
            h = nn.functional.linear(h, w, layer.Bias is null ? null : tensor(layer.Bias));
            h = layer.Activation switch
            {
                ActivationKind.Relu => nn.functional.relu(h),
                ActivationKind.Tanh => h.tanh(),
                ActivationKind.Sigmoid => h.sigmoid(),
                _ => h,
            };
        }
        return ranges;
    }
}
