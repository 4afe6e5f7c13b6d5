using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>
/// The autograd tape of a layer stack as ScaleLab builds it in TorchSharp (nn.Sequential, which releases each
/// layer's output once the next has read it), libtorch 2.x CPU, one rule per layer type — what each op saves for
/// backward (torch's tools/autograd/derivatives.yaml; measured in tests/ScaleLab.Torch.Tests, StepMemoryTests):
/// linear and conv their input; ReLU, sigmoid, tanh and softmax their output; GELU, SiLU and leaky ReLU their input;
/// max pooling its input and int64 indices; average pooling its input (global average pooling is a mean and keeps
/// nothing); batch and layer norm their input and fp32 statistics; dropout a one-byte mask; embedding its indices;
/// LSTM/GRU/RNN oneDNN's workspace (input, G gate values, hidden and cell state per step). Flatten is a view.
/// </summary>
public static class LayerStackTape
{
    public static AutogradTape Build(ModelCost cost, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var spec = cost.Spec;
        var input = spec.Input ?? throw new SpecException(spec.Source, "top level", "a layer stack needs an 'input' shape");
        var tape = new AutogradTape();
        var ops = new TapeOps(tape, precision);
        int x = tape.Input("input", spec.InputIsTokens ? checked(8 * input.Elements) : precision.BytesFor(input.Elements));
        var shape = input;
        for (int i = 0; i < spec.Layers.Count; i++)
            (x, shape) = Layer(ops, spec.Layers[i], x, shape, spec.Source, $"layers[{i}]");
        long rows = spec.Task == TaskKind.Regression ? shape.Elements : shape.Elements / shape[-1];
        ops.Loss(x, shape.Elements, spec.Task == TaskKind.Regression ? ops.Bytes(rows) : checked(8 * rows), spec.Task);
        return tape;
    }

    private static (int Output, Shape Shape) Layer(TapeOps ops, LayerSpec layer, int x, Shape input, string source, string path)
    {
        var output = layer is ResidualLayer ? input : ShapeInference.Output(layer, input, source, path);
        var tape = ops.Tape;
        long inBytes = ops.Bytes(input.Elements), outBytes = ops.Bytes(output.Elements);
        switch (layer)
        {
            case LinearLayer l:
                return (ops.Linear(path, x, input.Elements / input[-1], input[-1], l.Units, l.Bias), output);
            case ConvLayer c:
                long weight = checked(c.Filters * (input[0] / c.Groups) * c.Kernel.Aggregate(1L, (a, k) => a * k));
                // Uneven "same" padding is an explicit F.pad: a padded copy, which the conv then saves.
                if (UnevenPadding(c, input) is { } padded) x = tape.Node(path, "pad", [x], ops.Bytes(padded), []);
                return (Conv(ops, path, x, input, output, checked(weight + (c.Bias ? c.Filters : 0)), weight), output);
            case PoolLayer { Kind: PoolKind.Max }:
                int indices = tape.Internal($"{path}.indices", checked(8 * output.Elements));
                return (tape.Node(path, "max_pool", [x], outBytes, [x, indices], work: Pooling(input, inBytes, outBytes) with { MaxPooling = true }), output);
            case PoolLayer:
                return (tape.Node(path, "avg_pool", [x], outBytes, [x], work: Pooling(input, inBytes, outBytes)), output);
            case AdaptiveAvgPoolLayer a:
                // PyTorch computes a 1×1 adaptive average pool as a mean over the spatial dims, which saves nothing.
                bool global = a.Global || a.OutputSize.All(s => s == 1);
                return (tape.Node(path, global ? "mean" : "adaptive_avg_pool", [x], outBytes, global ? [] : [x]), output);
            case FlattenLayer:
                return (x, output);
            case BatchNormLayer:
                int stats = tape.Internal($"{path}.save_mean_invstd", 0, ops.Bytes(checked(2 * input[0])));
                // Timed per (sample, channel) plane at calibrate's batch-norm rate, which covers its read and write.
                long kernelBytes = checked(inBytes + outBytes);
                var norm = TapeWork.Elementwise(kernelBytes) with { Row = new TapeRowOp(RowOps.BatchNorm, input.Elements / input[0], input[0], kernelBytes) };
                return (ops.Parameterised(path, "batch_norm", x, outBytes, [x, stats], 2 * input[0], input[0], norm), output);
            case LayerNormLayer n:
                return (ops.LayerNorm(path, x, input.Elements / input[-1], input[-1], n.Affine, n.Affine && n.Bias), output);
            case RmsNormLayer:
                return (ops.RmsNorm(path, x, input.Elements / input[-1], input[-1]), output);
            case DropoutLayer { Rate: 0 }:
                return (x, output);   // ATen's dropout returns its input unchanged when p = 0
            case DropoutLayer:
                int mask = tape.Internal($"{path}.mask", input.Elements);   // bool, one byte per element
                return (tape.Node(path, "dropout", [x], outBytes, [mask]), output);
            case ActivationLayer a:
                return (ops.Activation(path, a.Kind, x, inBytes), output);
            case EmbeddingLayer e:
                return (ops.Parameterised(path, "embedding", x, outBytes, [], checked(e.Vocab * e.Dim), checked(e.Vocab * e.Dim)), output);
            case RecurrentLayer r:
                return (Recurrent(ops, r, path, x, input, output), output);
            case AttentionLayer a:
                long s = input[0], e2 = input[1];
                var shape = new TapeAttention(e2, a.Heads, a.KvHeads ?? a.Heads, e2 / a.Heads, a.Bias, a.Bias, Rotary: false, a.Causal);
                return (ops.Attention(path, x, s, shape), output);
            case ResidualLayer residual:
                int body = x;
                var bodyShape = input;
                for (int i = 0; i < residual.Body.Count; i++)
                    (body, bodyShape) = Layer(ops, residual.Body[i], body, bodyShape, source, $"{path}.body[{i}]");
                int shortcut = x;
                var shortcutShape = input;
                for (int i = 0; i < (residual.Projection?.Count ?? 0); i++)
                    (shortcut, shortcutShape) = Layer(ops, residual.Projection![i], shortcut, shortcutShape, source, $"{path}.projection[{i}]");
                return (tape.Node(path, "add", [body, shortcut], ops.Bytes(bodyShape.Elements), []), bodyShape);
            default:
                throw new ArgumentException($"no autograd rule for layer type {layer.Type}", nameof(layer));
        }
    }

    /// <summary>
    /// A convolution (libtorch runs fp32 CPU convs through oneDNN) saves its input. Its kernels work in oneDNN's
    /// 8-channel-blocked layouts: backward reorders the output gradient and the input (or its gradient) into them, two
    /// transients the size of output and input with channels rounded up to a multiple of 8; forward reorders the sides
    /// whose channels are not a multiple of 8 (LeNet-5's 1 → 6 first conv). Measured (docs/verify.md): 2-conv stacks
    /// of 16 and 32 filters within 0.5 %, LeNet-5 and the Keras CNN within 5 %.
    /// </summary>
    private static int Conv(TapeOps ops, string path, int x, Shape input, Shape output, long parameters, long weight)
    {
        long inBytes = ops.Bytes(input.Elements), outBytes = ops.Bytes(output.Elements);
        long blockedIn = ops.Bytes(Blocked(input)), blockedOut = ops.Bytes(Blocked(output));
        // Forward reorders whichever side is not already a whole number of 8-channel blocks.
        long forward = (input[0] % 8 == 0 ? 0 : blockedIn) + (output[0] % 8 == 0 ? 0 : blockedOut);
        long filters = output[0];
        ops.NoteParameter(weight);
        // As a GEMM (im2col view): (H'·W' output positions) × (C/g·k² inputs) → F filters.
        long positions = output.Elements / filters;
        var work = new TapeWork([new TapeGemm(positions, weight / filters, filters, Kind: GemmKind.Conv)], checked(inBytes + outBytes), 0, 1);
        return ops.Tape.Node(path, "conv", [x], outBytes, [x], ops.Bytes(parameters), backwardWorkspaceBytesPerSample: checked(blockedIn + blockedOut), forwardWorkspaceBytesPerSample: forward, work: work);
    }

    /// <summary>
    /// libtorch's CPU pooling kernels (and their backward scatter) run far below bandwidth — 20–40× on the Keras CNN and
    /// LeNet-5 — so they are timed per input element at the rate calibrate measures on reference pools.
    /// </summary>
    private static TapeWork Pooling(Shape input, long inBytes, long outBytes) =>
        new([], checked(inBytes + outBytes), 0, 1) { PooledElementsPerSample = input.Elements };

    /// <summary>Elements of a (C, spatial…) tensor in oneDNN's 8-channel-blocked layout: C rounded up to a multiple of 8.</summary>
    private static long Blocked(Shape s) => checked(s.Elements / s[0] * ((s[0] + 7) / 8 * 8));

    /// <summary>
    /// The padded input's elements when Keras-style "same" padding is uneven in some dimension (the builder pads
    /// explicitly then), else null: TensorFlow's rule, total = max((⌈size/stride⌉ − 1)·stride + span − size, 0).
    /// </summary>
    private static long? UnevenPadding(ConvLayer c, Shape input)
    {
        if (c.PaddingMode != PaddingMode.Same) return null;
        long elements = input[0];
        bool uneven = false;
        for (int d = 0; d < c.Rank; d++)
        {
            long size = input[d + 1], s = c.Stride[d], span = (c.Dilation[d] * (c.Kernel[d] - 1)) + 1;
            long total = Math.Max((((size + s - 1) / s) - 1) * s + span - size, 0);
            uneven |= total % 2 != 0;
            elements = checked(elements * (size + total));
        }

        return uneven ? elements : null;
    }

    /// <summary>
    /// libtorch runs nn.LSTM/GRU/RNN on CPU through oneDNN, whose training workspace keeps, per layer, direction and
    /// step, the layer input, the G gate values and the hidden and cell state: (In + G·H + 2H) values. Its backward
    /// allocates, per step, gate and state gradients and a scratch copy of the gates, (2G + 2)·H values: measured in
    /// StepMemoryTests on the LSTM classifier (28 steps, H = 128), the backward peak is within 3 % of this rule.
    /// </summary>
    private static int Recurrent(TapeOps ops, RecurrentLayer r, string path, int x, Shape input, Shape output)
    {
        long steps = input[0];
        long gates = r.Kind switch { RecurrentKind.Lstm => 4, RecurrentKind.Gru => 3, _ => 1 };
        long h = r.Hidden;
        int directions = r.Bidirectional ? 2 : 1;
        long saved = 0, workspace = 0, parameters = 0, largest = 0;
        for (int layer = 0; layer < r.NumLayers; layer++)
        {
            long inWidth = layer == 0 ? input[1] : directions * h;
            saved = checked(saved + (directions * steps * (inWidth + (gates * h) + (2 * h))));
            workspace = checked(workspace + (directions * steps * ((2 * gates) + 2) * h));
            long perDirection = checked((gates * h * inWidth) + (gates * h * h) + (r.Bias ? 2 * gates * h : 0));
            parameters = checked(parameters + (directions * perDirection));
            largest = Math.Max(largest, checked(gates * h * Math.Max(inWidth, h)));
        }

        var tape = ops.Tape;
        int kept = tape.Internal($"{path}.workspace", ops.Bytes(saved));
        ops.NoteParameter(largest);
        // The input projection for all steps at once, then per step the recurrent product and the gate nonlinearities.
        long firstIn = input[1];
        var work = new TapeWork(
            [new TapeGemm(steps * directions, firstIn, gates * h, Kind: GemmKind.Recurrent), new TapeGemm(1, h, gates * h, steps * directions * r.NumLayers, Kind: GemmKind.Recurrent)],
            ops.Bytes(checked(steps * directions * r.NumLayers * 10 * h)), checked(steps * directions * r.NumLayers * (gates + 1) * h), 1);
        return tape.Node(path, r.Type, [x], ops.Bytes(output.Elements), [kept], ops.Bytes(parameters), ops.Bytes(workspace), work: work);
    }
}
