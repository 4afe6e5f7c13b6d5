namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>
/// A tensor of one training step's forward pass. <see cref="BytesPerSample"/> scales with the batch; <see
/// cref="FixedBytes"/> does not (RoPE's cos/sin tables, batch-norm statistics are per batch, not per sample).
/// </summary>
public sealed record TapeTensor(int Id, string Name, long BytesPerSample, long FixedBytes, bool RequiresGrad)
{
    public long Bytes(long batch) => checked((BytesPerSample * batch) + FixedBytes);
}

/// <summary>
/// One autograd node as libtorch 2.x eager mode records it: the tensors it reads, the one it creates, the tensors it
/// saves for backward (its inputs, its output, or tensors of its own such as max-pool indices), and what its backward
/// allocates besides input gradients: <see cref="ParameterGradientBytes"/>, the gradient of its weights, which
/// AccumulateGrad adds into the existing <c>.grad</c> and then frees (gradients are zeroed in place, not set to
/// None, so each node's weight gradient is a transient the size of its weights), and
/// <see cref="BackwardWorkspaceBytesPerSample"/> and <see cref="ForwardWorkspaceBytesPerSample"/>, scratch its kernels
/// need while they run (oneDNN's reorders and RNN workspace).
/// </summary>
public sealed record TapeNode(
    string Layer,
    string Op,
    IReadOnlyList<int> Inputs,
    int Output,
    IReadOnlyList<int> Saved,
    long ParameterGradientBytes,
    long BackwardWorkspaceBytesPerSample = 0,
    long ForwardWorkspaceBytesPerSample = 0)
{
    /// <summary>The compute of this node, for the step-time prediction (<see cref="StepTimeEstimator"/>).</summary>
    public TapeWork Work { get; init; } = TapeWork.None;
}

/// <summary>
/// A matrix product of a node's forward pass: (rows·batch × K) · (K × N), <see cref="Repeats"/> times (per head, per
/// step). Backward runs the two products of its gradient: dA = dC·Bᵀ when the left operand needs a gradient, and dB =
/// Aᵀ·dC when the right one does (<see cref="RightNeedsGradient"/>: a weight, or attention's K and V).
/// </summary>
public sealed record TapeGemm(long RowsPerSample, long K, long N, long Repeats = 1, bool RightNeedsGradient = true, GemmKind Kind = GemmKind.Matmul);

/// <summary>
/// Which kernel runs a product: a plain matmul (BLAS), a oneDNN convolution or a oneDNN recurrent cell. The latter two
/// are timed as their GEMM equivalents scaled by what calibrate measured for that kernel class.
/// </summary>
public enum GemmKind { Matmul, Conv, Recurrent }

/// <summary>
/// A node's compute: its GEMMs, the bytes its other kernels move per sample in forward (reads and writes; backward is
/// counted as twice that: the output gradient and the saved tensors read, the input gradient written), how many of
/// those elements go through a transcendental function (exp, tanh, erf), and the kernels it launches (each costs the
/// dispatch overhead once in forward and once in backward).
/// </summary>
public sealed record TapeWork(IReadOnlyList<TapeGemm> Gemms, long BytesPerSample, long TranscendentalsPerSample, int Kernels)
{
    /// <summary>Transcendentals of the backward kernel: as forward unless set (tanh and sigmoid differentiate from their saved output: none).</summary>
    public long? BackwardTranscendentalsPerSample { get; init; }

    /// <summary>Input elements a pooling kernel reads per sample; pooling runs at calibrate's measured pooling rate, not at bandwidth.</summary>
    public long PooledElementsPerSample { get; init; }

    /// <summary>Max pooling (indices, a scatter backward) rather than average pooling: they run at different rates.</summary>
    public bool MaxPooling { get; init; }

    /// <summary>
    /// Calls around the node's kernels that move no data worth counting but each pay one launch: views and their
    /// backward views (view, transpose, narrow, squeeze), and kernels autograd does not record (rotary tables built from
    /// arange, a mask's eq and any, nonzero's index).
    /// </summary>
    public int Launches { get; init; }

    /// <summary>
    /// Fused attention inside the node: timed at calibrate's measured per-score rates when the profile has them, in place
    /// of the node's GEMMs and of the bytes its kernel moves (<see cref="TapeFlashAttention.KernelBytesPerSample"/>).
    /// </summary>
    public TapeFlashAttention? Flash { get; init; }

    /// <summary>
    /// A row-wise kernel inside the node (softmax, sum or topk over a narrow last dimension, a normalisation): timed at
    /// calibrate's measured per-row rate when the profile has one, in place of the bytes that kernel moves
    /// (<see cref="TapeRowOp.KernelBytesPerSample"/>) and on top of the node's other bytes (<see cref="RowOpPoint"/>).
    /// </summary>
    public TapeRowOp? Row { get; init; }

    public static TapeWork None { get; } = new([], 0, 0, 0);

    public static TapeWork Elementwise(long bytesPerSample, int kernels = 1, long transcendentals = 0) => new([], bytesPerSample, transcendentals, kernels);
}

/// <summary>
/// scaled_dot_product_attention's kernel in a node: scores per sample (heads × queries × visible keys), its head
/// dimension and sequence length (what its per-score rate depends on), and the bytes it reads and writes per sample
/// (Q, K, V, the output), which its measured rate already covers.
/// </summary>
public sealed record TapeFlashAttention(long ScoresPerSample, long HeadDim, long Sequence, long KernelBytesPerSample);

/// <summary>
/// A row-wise kernel (<see cref="RowOps"/>) over <see cref="RowsPerSample"/> rows of <see cref="Width"/> values per
/// sample, and the bytes of the node's <see cref="TapeWork.BytesPerSample"/> that are that kernel's own: its measured
/// rate covers them (a normalisation's whole traffic; none for the router's, whose nodes move other tensors too).
/// </summary>
public sealed record TapeRowOp(string Op, long Width, long RowsPerSample, long KernelBytesPerSample = 0);

/// <summary>
/// The forward pass of one training step written as libtorch records it, for the memory estimate of
/// <see cref="StepMemoryEstimator"/>. Views (flatten, reshape, transpose, chunk) are not nodes: they share their
/// base's storage, so a builder maps them to the base tensor. <see cref="Held"/> are tensors the training loop keeps
/// until the step ends (the logits it computes the loss from).
/// </summary>
public sealed class AutogradTape
{
    private readonly List<TapeTensor> _tensors = [];
    private readonly List<TapeNode> _nodes = [];
    private readonly List<int> _held = [];
    private readonly List<int> _inputs = [];

    public IReadOnlyList<TapeTensor> Tensors => _tensors;

    public IReadOnlyList<TapeNode> Nodes => _nodes;

    public IReadOnlyList<int> Held => _held;

    /// <summary>The batch's tensors (<see cref="Input"/>), allocated before the step.</summary>
    public IReadOnlyList<int> Inputs => _inputs;

    /// <summary>The largest single parameter tensor, in bytes: the optimizer's per-tensor temporary (<see cref="NoteParameter"/>).</summary>
    public long LargestParameterBytes { get; private set; }

    /// <summary>Parameter tensors recorded (<see cref="NoteParameter"/>); biases are not recorded apart.</summary>
    public int ParameterTensors { get; private set; }

    /// <summary>Records a parameter tensor's size (for <see cref="LargestParameterBytes"/>).</summary>
    public void NoteParameter(long bytes)
    {
        LargestParameterBytes = Math.Max(LargestParameterBytes, bytes);
        ParameterTensors++;
    }

    /// <summary>The batch input (images, token ids): allocated before the step, needs no gradient.</summary>
    public int Input(string name, long bytesPerSample)
    {
        int id = Add(name, bytesPerSample, 0, requiresGrad: false);
        _inputs.Add(id);
        return id;
    }

    /// <summary>A tensor of the node's own that only backward reads (indices, masks, statistics): saved, never an input.</summary>
    public int Internal(string name, long bytesPerSample, long fixedBytes = 0) => Add(name, bytesPerSample, fixedBytes, requiresGrad: false);

    /// <summary>
    /// Records a node that reads <paramref name="inputs"/> and creates a new tensor of <paramref name="outputBytesPerSample"/>
    /// bytes per sample, saving <paramref name="saved"/> (ids of earlier tensors or <see cref="Internal"/> ones; pass
    /// <see cref="Self"/> for the node's own output). Returns the output's id.
    /// </summary>
    public int Node(string layer, string op, IReadOnlyList<int> inputs, long outputBytesPerSample, IReadOnlyList<int> saved, long parameterGradientBytes = 0, long backwardWorkspaceBytesPerSample = 0, long forwardWorkspaceBytesPerSample = 0, TapeWork? work = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(saved);
        bool requiresGrad = parameterGradientBytes > 0 || inputs.Any(i => _tensors[i].RequiresGrad);
        int output = Add($"{layer}.{op}", outputBytesPerSample, 0, requiresGrad);
        var resolved = saved.Select(s => s == Self ? output : s).ToArray();
        _nodes.Add(new TapeNode(layer, op, inputs, output, resolved, parameterGradientBytes, backwardWorkspaceBytesPerSample, forwardWorkspaceBytesPerSample)
        {
            Work = work ?? TapeWork.Elementwise(checked(inputs.Sum(i => _tensors[i].BytesPerSample) + outputBytesPerSample)),
        });
        return output;
    }

    /// <summary>Stands for a node's own output in <see cref="Node"/>'s saved list (ReLU, sigmoid, softmax save their result).</summary>
    public const int Self = -1;

    /// <summary>The training loop holds this tensor until the step ends.</summary>
    public void Hold(int tensor) => _held.Add(tensor);

    private int Add(string name, long bytesPerSample, long fixedBytes, bool requiresGrad)
    {
        int id = _tensors.Count;
        _tensors.Add(new TapeTensor(id, name, bytesPerSample, fixedBytes, requiresGrad));
        return id;
    }
}
