using ScaleLab.Core.Spec;
using ScaleLab.Torch.Compression.Onnx;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Reads a layer stack of the form [flatten] (linear [activation] [dropout])* out of a spec and its weights, for the
/// ONNX Runtime int8 path. Anything else (conv, norms, residual) returns null: those models are measured on the
/// TorchSharp fp32 path only, and the result says so.
/// </summary>
public static class DenseStackExtractor
{
    public static DenseStack? TryExtract(ModelSpec spec, nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        if (spec.Transformer is not null || spec.Input is null || spec.InputIsTokens) return null;
        var state = model.state_dict();
        var layers = new List<DenseLayer>();
        long features = spec.Input.Elements;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            switch (spec.Layers[i])
            {
                case FlattenLayer when layers.Count == 0:
                case DropoutLayer:
                    continue;
                case LinearLayer linear:
                    if (layers.Count == 0 && spec.Input.Rank > 1 && spec.Layers.Take(i).All(l => l is not FlattenLayer)) return null;
                    string key = "layers." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var weight = state[key + ".weight"].detach().cpu().contiguous().data<float>().ToArray();
                    float[]? bias = linear.Bias ? state[key + ".bias"].detach().cpu().data<float>().ToArray() : null;
                    layers.Add(new DenseLayer(features, linear.Units, weight, bias, null));
                    features = linear.Units;
                    continue;
                case ActivationLayer act when layers.Count > 0 && layers[^1].Activation is null
                                              && act.Kind is ActivationKind.Relu or ActivationKind.Tanh or ActivationKind.Sigmoid:
                    layers[^1] = layers[^1] with { Activation = act.Kind };
                    continue;
                default:
                    return null;
            }
        }
        return layers.Count == 0 ? null : new DenseStack(spec.Input.Elements, layers);
    }
}
