using System.Globalization;
using ScaleLab.Core;
using ScaleLab.Core.Spec;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>A model that cannot be written as ONNX: names the layer and what would be needed.</summary>
public sealed class OnnxExportException(string message) : ScaleLabException(message);

/// <summary>How to export: the default-domain opset, and whether linear/conv weights are stored as int8.</summary>
public sealed record OnnxExportOptions(int Opset = OnnxModelExport.DefaultOpset, bool Int8 = false);

/// <summary>
/// Writes any layer stack ScaleLab builds as a standard ONNX model (default domain only): input "x" (batch, …the
/// spec's input), output "y". Linear → MatMul (+ Add), conv → Conv with explicit pads (Keras "same" included), pools,
/// global/adaptive average pooling, flatten, batch/layer/RMS norm, activations, dropout (identity at inference),
/// residual blocks, and RNN/LSTM/GRU as ONNX's own recurrent ops. With <see cref="OnnxExportOptions.Int8"/>, every
/// linear and conv weight is stored int8 per output channel (symmetric): linear layers run as standard integer ops
/// (DynamicQuantizeLinear → MatMulInteger, activations quantized per run), conv weights as QDQ (DequantizeLinear →
/// Conv, the form ONNX Runtime and TensorRT recognise); recurrent weights stay fp32.
/// Embedding, attention and transformer specs are refused with the layer named.
/// </summary>
public static class OnnxModelExport
{
    public const int DefaultOpset = 17;

    /// <summary>Opset 13 is the first with per-axis DequantizeLinear; 21 the newest whose IR version is written here.</summary>
    public const int MinOpset = 13;

    public const int MaxOpset = 21;

    public static byte[] Export(ModelSpec spec, nn.Module model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = model.state_dict().Where(kv => kv.Value.dtype == ScalarType.Float32)
            .ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous().data<float>().ToArray());
        return Export(spec, state, options);
    }

    /// <param name="state">fp32 tensors by state_dict name ("layers.3.weight"), row-major.</param>
    public static byte[] Export(ModelSpec spec, IReadOnlyDictionary<string, float[]> state, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Opset is < MinOpset or > MaxOpset)
            throw new OnnxExportException(string.Create(CultureInfo.InvariantCulture, $"--opset {options.Opset} is not supported; use {MinOpset} to {MaxOpset} (default {DefaultOpset})"));
        if (spec.Transformer is not null || spec.Input is null || spec.InputIsTokens)
            throw new OnnxExportException($"{spec.Name}: transformer and token-input models have no ONNX export here; layer stacks over float inputs do");
        var graph = new OnnxGraph("scalelab-" + spec.Name, options.Opset);
        graph.Input("x", OnnxType.Float, ["batch", .. spec.Input.Dims.Cast<object>()]);
        var writer = new OnnxLayerWriter(graph, state, options, spec.Name);
        var (output, shape) = writer.Sequence(spec.Layers, "x", spec.Input, "layers");
        graph.Node("Identity", [output], ["y"]);
        graph.Output("y", OnnxType.Float, ["batch", .. shape.Dims.Cast<object>()]);
        return graph.ToModel();
    }
}
