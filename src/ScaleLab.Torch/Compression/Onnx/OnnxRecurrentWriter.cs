using System.Globalization;
using ScaleLab.Core.Spec;

namespace ScaleLab.Torch.Compression.Onnx;

/// <summary>
/// RNN / LSTM / GRU layers as ONNX's RNN, LSTM and GRU ops, one op per stacked layer. torch.nn and ONNX order the
/// gates differently: LSTM torch (i, f, g, o) → ONNX (i, o, f, c); GRU torch (r, z, n) → ONNX (z, r, h) with
/// linear_before_reset = 1 (torch applies the reset gate after the hidden projection). ONNX wants (S, B, F) and
/// returns Y (S, D, B, H) and Y_h (D, B, H); RecurrentBlock is batch-first and returns (B, S, D·H) or the top layer's
/// final hidden state (B, D·H).
/// </summary>
internal sealed class OnnxRecurrentWriter(OnnxGraph graph, IReadOnlyDictionary<string, float[]> state, Func<string, string> fresh)
{
    public string Write(RecurrentLayer r, string x, Shape input, string name)
    {
        int gates = r.Kind switch { RecurrentKind.Lstm => 4, RecurrentKind.Gru => 3, _ => 1 };
        int[] order = r.Kind switch { RecurrentKind.Lstm => [0, 3, 1, 2], RecurrentKind.Gru => [1, 0, 2], _ => [0] };
        int directions = r.Bidirectional ? 2 : 1;
        string current = Node("Transpose", [x], new OnnxAttribute("perm", Ints: [1, 0, 2]));   // (S, B, F)
        long features = input[1];
        string lastHidden = "";
        for (int layer = 0; layer < r.NumLayers; layer++)
        {
            string w = fresh($"{name}.W{layer}"), rr = fresh($"{name}.R{layer}"), b = fresh($"{name}.B{layer}");
            var (wValues, rValues, bValues) = (new List<float>(), new List<float>(), new List<float>());
            for (int d = 0; d < directions; d++)
            {
                string suffix = string.Create(CultureInfo.InvariantCulture, $"_l{layer}{(d == 1 ? "_reverse" : "")}");
                wValues.AddRange(Reorder(Get($"{name}.rnn.weight_ih{suffix}"), order, r.Hidden * features));
                rValues.AddRange(Reorder(Get($"{name}.rnn.weight_hh{suffix}"), order, r.Hidden * r.Hidden));
                if (!r.Bias) continue;
                bValues.AddRange(Reorder(Get($"{name}.rnn.bias_ih{suffix}"), order, r.Hidden));
                bValues.AddRange(Reorder(Get($"{name}.rnn.bias_hh{suffix}"), order, r.Hidden));
            }
            graph.Initializer(w, [.. wValues], directions, gates * r.Hidden, features);
            graph.Initializer(rr, [.. rValues], directions, gates * r.Hidden, r.Hidden);
            if (r.Bias) graph.Initializer(b, [.. bValues], directions, 2 * gates * r.Hidden);
            var attributes = new List<OnnxAttribute>
            {
                ("hidden_size", r.Hidden),
                new("direction", Text: r.Bidirectional ? "bidirectional" : "forward"),
            };
            if (r.Kind == RecurrentKind.Gru) attributes.Add(("linear_before_reset", 1L));
            string y = fresh($"{name}.Y{layer}"), yh = fresh($"{name}.Y_h{layer}");
            string[] outputs = [y, yh];   // LSTM's optional Y_c is left out
            string op = r.Kind switch { RecurrentKind.Lstm => "LSTM", RecurrentKind.Gru => "GRU", _ => "RNN" };
            graph.Node(op, [current, w, rr, r.Bias ? b : ""], outputs, "", [.. attributes]);
            // (S, D, B, H) → (S, B, D, H) → (S, B, D·H): the next layer's input, directions side by side as in torch.
            current = Reshape(Node("Transpose", [y], new OnnxAttribute("perm", Ints: [0, 2, 1, 3])), [0, 0, -1]);
            features = directions * r.Hidden;
            lastHidden = yh;
        }
        if (r.ReturnSequences) return Node("Transpose", [current], new OnnxAttribute("perm", Ints: [1, 0, 2]));   // (B, S, D·H)
        // Y_h (D, B, H) → (B, D, H) → (B, D·H): forward after the last step, backward after the first.
        return Reshape(Node("Transpose", [lastHidden], new OnnxAttribute("perm", Ints: [1, 0, 2])), [0, -1]);
    }

    /// <summary>Gate blocks of <paramref name="block"/> values each, in ONNX's order.</summary>
    private static IEnumerable<float> Reorder(float[] values, int[] order, long block) =>
        order.SelectMany(g => values.Skip((int)(g * block)).Take((int)block));

    private float[] Get(string name) =>
        state.TryGetValue(name, out var v) ? v : throw new OnnxExportException($"tensor '{name}' is missing from the weights");

    private string Node(string type, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = fresh(type.ToLowerInvariant());
        graph.Node(type, inputs, [output], "", attributes);
        return output;
    }

    private string Reshape(string x, long[] shape)
    {
        string target = fresh("shape");
        graph.Int64Initializer(target, shape);
        return Node("Reshape", [x, target]);
    }
}
