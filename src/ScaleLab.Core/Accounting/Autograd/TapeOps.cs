using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>The attention module's shape, as ScaleLab's SelfAttention builds it.</summary>
public sealed record TapeAttention(long ModelDim, long Heads, long KvHeads, long HeadDim, bool QkvBias, bool OutputBias, bool Rotary, bool Causal = true);

/// <summary>
/// The ops ScaleLab's TorchSharp modules run, written onto an <see cref="AutogradTape"/> with what libtorch 2.x saves
/// for each (tools/autograd/derivatives.yaml). Sizes are per sample; <paramref name="precision"/> is the activation
/// and weight precision (int64 indices are 8 bytes, bool masks 1).
/// </summary>
internal sealed class TapeOps(AutogradTape tape, Precision precision)
{
    public AutogradTape Tape { get; } = tape;

    public long Bytes(long elements) => precision.BytesFor(elements);

    public void NoteParameter(long elements) => Tape.NoteParameter(Bytes(elements));

    /// <summary>A node with weights: its weight gradient is a transient of <paramref name="parameters"/> elements in backward.</summary>
    public int Parameterised(string path, string op, int x, long outBytes, IReadOnlyList<int> saved, long parameters, long largestTensor, TapeWork? work = null)
    {
        NoteParameter(largestTensor);
        return Tape.Node(path, op, [x], outBytes, saved, Bytes(parameters), work: work);
    }

    /// <summary>addmm/matmul on (rows, in): saves its input (the weight is a parameter, not a new tensor).</summary>
    public int Linear(string path, int x, long rows, long inFeatures, long outFeatures, bool bias)
    {
        long weight = checked(inFeatures * outFeatures);
        var work = new TapeWork([new TapeGemm(rows, inFeatures, outFeatures)], 0, 0, 1);   // addmm: the bias add is fused
        return Parameterised(path, "linear", x, Bytes(checked(rows * outFeatures)), [x], checked(weight + (bias ? outFeatures : 0)), weight, work);
    }

    /// <summary>native_layer_norm: saves its input and the fp32 mean and rstd of every row.</summary>
    public int LayerNorm(string path, int x, long rows, long width, bool affine, bool bias)
    {
        int stats = Tape.Internal($"{path}.mean_rstd", checked(8 * rows));
        long parameters = affine ? (bias ? 2 * width : width) : 0;
        long kernelBytes = checked(2 * Bytes(rows * width));   // one fused kernel: read x, write y
        var work = TapeWork.Elementwise(kernelBytes) with { Row = new TapeRowOp(RowOps.LayerNorm, width, rows, kernelBytes) };
        if (parameters == 0) return Tape.Node(path, "layer_norm", [x], Bytes(checked(rows * width)), [x, stats], work: work);
        return Parameterised(path, "layer_norm", x, Bytes(checked(rows * width)), [x, stats], parameters, width, work);
    }

    /// <summary>
    /// ScaleLab's RmsNorm, x · rsqrt(mean(x²) + ε) · w, op by op: pow saves x; mean and the ε add save nothing; rsqrt
    /// saves its (rows, 1) result r; x·r saves x and r; (x·r)·w saves x·r — so x, x·r and r are kept. Timed as one
    /// unit at calibrate's RmsNorm rate (its six ops' kernels and backward, the broadcasts' reductions among them):
    /// the first node carries the six nodes' bytes and the rate, the other five only their launches.
    /// </summary>
    public int RmsNorm(string path, int x, long rows, long width)
    {
        long full = Bytes(checked(rows * width)), row = Bytes(rows);
        // Reads and writes of pow (x → x²), mean (x² → row), the ε add and rsqrt (row → row), x·r and (x·r)·w.
        long bytes = checked((2 * full) + (full + row) + (4 * row) + (full + row + full) + (2 * full));
        var first = TapeWork.Elementwise(bytes) with { Row = new TapeRowOp(RowOps.RmsNorm, width, rows, bytes) };
        var rest = TapeWork.Elementwise(0);
        int squared = Tape.Node(path, "pow", [x], full, [x], work: first);
        int mean = Tape.Node(path, "mean", [squared], row, [], work: rest);
        int shifted = Tape.Node(path, "add_eps", [mean], row, [], work: rest);
        int r = Tape.Node(path, "rsqrt", [shifted], row, [AutogradTape.Self], work: rest);
        int normalised = Tape.Node(path, "mul", [x, r], full, [x, r], work: rest);
        NoteParameter(width);
        return Tape.Node(path, "mul_weight", [normalised], full, [normalised], Bytes(width), work: rest);
    }

    /// <summary>ReLU, sigmoid, tanh and softmax save their result; GELU, SiLU and leaky ReLU their input.</summary>
    public int Activation(string path, ActivationKind kind, int x, long bytes)
    {
        // exp, tanh or erf per element for all but ReLU and leaky ReLU.
        long transcendentals = kind is ActivationKind.Relu or ActivationKind.LeakyRelu ? 0 : bytes / Math.Max(1, Bytes(1));
        bool fromOutput = kind is ActivationKind.Relu or ActivationKind.Sigmoid or ActivationKind.Tanh or ActivationKind.Softmax;
        var work = TapeWork.Elementwise(checked(2 * bytes), 1, transcendentals) with { BackwardTranscendentalsPerSample = fromOutput ? 0 : transcendentals };
        string op = kind.ToString().ToLowerInvariant();
        return kind is ActivationKind.Relu or ActivationKind.Sigmoid or ActivationKind.Tanh or ActivationKind.Softmax
            ? Tape.Node(path, op, [x], bytes, [AutogradTape.Self], work: work)
            : Tape.Node(path, op, [x], bytes, [x], work: work);
    }

    /// <summary>
    /// SelfAttention over S tokens: the Q, K, V projections (each saves the shared input), rotary positions (they
    /// multiply by cos/sin tables, so only the tables are kept; backward needs about three Q-sized temporaries), GQA's
    /// repeat_interleave (new tensors, saving only indices), and scaled_dot_product_attention, which libtorch 2.x runs
    /// on CPU as its flash kernel for causal or unmasked fp32 inputs: it saves Q, K, V, its output and the fp32
    /// logsumexp of every head and query (H·S) — no S×S matrix. The output projection reads the attention output.
    /// </summary>
    public int Attention(string path, int x, long s, TapeAttention a)
    {
        long q = checked(s * a.Heads * a.HeadDim), kv = checked(s * a.KvHeads * a.HeadDim);
        int qp = Linear($"{path}.q_proj", x, s, a.ModelDim, a.Heads * a.HeadDim, a.QkvBias);
        int kp = Linear($"{path}.k_proj", x, s, a.ModelDim, a.KvHeads * a.HeadDim, a.QkvBias);
        int vp = Linear($"{path}.v_proj", x, s, a.ModelDim, a.KvHeads * a.HeadDim, a.QkvBias);
        if (a.Rotary)
        {
            int tables = Tape.Internal($"{path}.core.rope_cos_sin", 0, Bytes(checked(2 * s * a.HeadDim)));
            // x·cos + cat(−x₂, x₁)·sin: narrow ×2, neg, cat, two muls and an add — seven kernels moving about 10 Q-sized
            // tensors — after the tables are built again for the call (arange, neg, div, pow, arange, outer, cat, cos, sin).
            var rope = (long elements) => TapeWork.Elementwise(Bytes(10 * elements), 7) with { Launches = RopeTableLaunches };
            qp = Tape.Node($"{path}.core", "rope", [qp], Bytes(q), [tables], backwardWorkspaceBytesPerSample: Bytes(3 * q), work: rope(q));
            kp = Tape.Node($"{path}.core", "rope", [kp], Bytes(kv), [tables], backwardWorkspaceBytesPerSample: Bytes(3 * kv), work: rope(kv));
        }

        if (a.KvHeads != a.Heads)
        {
            // An index_select along the heads (read the K/V heads, write Q-sized copies) whose index is built first.
            var repeat = TapeWork.Elementwise(Bytes(kv + q)) with { Launches = RepeatIndexLaunches };
            kp = Tape.Node($"{path}.core", "repeat_interleave", [kp], Bytes(q), [], work: repeat);
            vp = Tape.Node($"{path}.core", "repeat_interleave", [vp], Bytes(q), [], work: repeat);
        }

        int logsumexp = Tape.Internal($"{path}.core.logsumexp", checked(4 * a.Heads * s));
        // QKᵀ and AV per head; a causal mask lets the kernel skip about half of the blocks.
        long visible = a.Causal ? (s + 1) / 2 : s;
        // Its kernel reads Q, K, V and writes the output (4 Q-sized tensors); the output's transpose back to (S, H·hd)
        // is a copy (reshape of a transposed view: 2 more) whose gradient comes back as a transposed view. Around it: a
        // view and a transpose of each of Q, K and V and of the output, in forward and again in backward.
        var work = new TapeWork(
            [new TapeGemm(s, a.HeadDim, visible, a.Heads), new TapeGemm(s, visible, a.HeadDim, a.Heads)],
            Bytes(checked(6 * q)), checked(a.Heads * s * visible), 2)
        {
            Launches = AttentionViewLaunches,
            Flash = new TapeFlashAttention(checked(a.Heads * s * visible), a.HeadDim, s, Bytes(checked(4 * q))),
        };
        int attended = Tape.Node($"{path}.core", "flash_attention", [qp, kp, vp], Bytes(q), [qp, kp, vp, AutogradTape.Self, logsumexp], work: work);
        return Linear($"{path}.o_proj", attended, s, a.Heads * a.HeadDim, a.ModelDim, a.OutputBias);
    }

    /// <summary>Unrecorded kernels that build the rotary cos/sin tables on every call (ScaleLab's RotaryEmbedding.Apply).</summary>
    public const int RopeTableLaunches = 9;

    /// <summary>repeat_interleave's index construction before its index_select.</summary>
    public const int RepeatIndexLaunches = 3;

    /// <summary>view + transpose of Q, K, V and transpose of the output (7 views), each again in backward.</summary>
    public const int AttentionViewLaunches = 14;

    /// <summary>FeedForward over <paramref name="rows"/> tokens: up → act → down, or act(gate) · up → down for GLU variants.</summary>
    public int FeedForward(string path, int x, long rows, long d, long width, FeedForwardKind kind, ActivationKind activation, bool bias, string? activationPath = null)
    {
        string act = activationPath ?? $"{path}.act";
        long hidden = Bytes(checked(rows * width));
        int h;
        if (kind == FeedForwardKind.Plain)
        {
            int up = Linear($"{path}.up_proj", x, rows, d, width, bias);
            h = Activation(act, activation, up, hidden);
        }
        else
        {
            int gate = Linear($"{path}.gate_proj", x, rows, d, width, bias);
            int activated = Activation(act, kind == FeedForwardKind.SwiGlu ? ActivationKind.Silu : ActivationKind.Gelu, gate, hidden);
            int up = Linear($"{path}.up_proj", x, rows, d, width, bias);
            h = Tape.Node(act, "mul", [activated, up], hidden, [activated, up]);
        }

        return Linear($"{path}.down_proj", h, rows, width, d, bias);
    }

    /// <summary>
    /// The loss: cross-entropy is log_softmax (saves its result) then nll_loss (saves the targets); regression's MSE
    /// saves input and target. The training loop holds the model output and the loss until the step ends.
    /// </summary>
    public void Loss(int output, long outputElements, long targetBytes, TaskKind task)
    {
        Tape.Hold(output);
        int targets = Tape.Input("targets", targetBytes);
        int loss = task == TaskKind.Regression
            ? Tape.Node("loss", "mse_loss", [output, targets], 0, [output, targets])
            : Tape.Node("loss", "nll_loss", [Tape.Node("loss", "log_softmax", [output], Bytes(outputElements), [AutogradTape.Self],
                work: TapeWork.Elementwise(checked(2 * Bytes(outputElements)), 1, outputElements)), targets], 0, [targets]);
        Tape.Hold(loss);
    }
}
