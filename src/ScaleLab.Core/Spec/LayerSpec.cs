namespace ScaleLab.Core.Spec;

/// <summary>
/// One layer of a layer-stack model, written the way a person writes it in Keras or PyTorch.
/// Input sizes are never written: they are inferred by shape propagation (<c>ShapeInference</c>).
/// </summary>
public abstract record LayerSpec
{
    /// <summary>The JSON "type" of this layer, e.g. "conv2d".</summary>
    public abstract string Type { get; }

    /// <summary>Optional user-given name, shown in summaries.</summary>
    public string? Name { get; init; }
}

/// <summary>Fully connected: y = xWᵀ + b over the last dimension.</summary>
public sealed record LinearLayer(long Units, bool Bias = true) : LayerSpec
{
    public override string Type => "linear";
}

public enum PaddingMode { Explicit, Same, Valid }

/// <summary>Convolution over 1 (conv1d) or 2 (conv2d) spatial dimensions; arrays have <see cref="Rank"/> entries.</summary>
public sealed record ConvLayer(
    int Rank,
    long Filters,
    IReadOnlyList<int> Kernel,
    IReadOnlyList<int> Stride,
    PaddingMode PaddingMode,
    IReadOnlyList<int> Padding,
    IReadOnlyList<int> Dilation,
    int Groups = 1,
    bool Bias = true) : LayerSpec
{
    public override string Type => Rank == 1 ? "conv1d" : "conv2d";
}

public enum PoolKind { Max, Average }

public sealed record PoolLayer(
    PoolKind Kind,
    int Rank,
    IReadOnlyList<int> Kernel,
    IReadOnlyList<int> Stride,
    IReadOnlyList<int> Padding) : LayerSpec
{
    public override string Type => (Kind == PoolKind.Max ? "max_pool" : "avg_pool") + Rank.ToString(System.Globalization.CultureInfo.InvariantCulture) + "d";
}

/// <summary>Adaptive average pooling to a fixed output size; global average pooling is output size 1.</summary>
public sealed record AdaptiveAvgPoolLayer(int Rank, IReadOnlyList<int> OutputSize, bool Global = false) : LayerSpec
{
    public override string Type => Global
        ? "global_avg_pool" + Rank.ToString(System.Globalization.CultureInfo.InvariantCulture) + "d"
        : "adaptive_avg_pool" + Rank.ToString(System.Globalization.CultureInfo.InvariantCulture) + "d";
}

public sealed record FlattenLayer : LayerSpec
{
    public override string Type => "flatten";
}

/// <summary>Batch normalisation over channels (dim 0 of a sample); running mean/var are buffers, not parameters.</summary>
public sealed record BatchNormLayer(int Rank, double Epsilon = 1e-5, double Momentum = 0.1, bool Affine = true) : LayerSpec
{
    public override string Type => Rank == 1 ? "batchnorm1d" : "batchnorm2d";
}

public sealed record LayerNormLayer(double Epsilon = 1e-5, bool Affine = true, bool Bias = true) : LayerSpec
{
    public override string Type => "layernorm";
}

/// <summary>RMSNorm (Zhang &amp; Sennrich 2019): a weight vector, no bias, no mean subtraction.</summary>
public sealed record RmsNormLayer(double Epsilon = 1e-6) : LayerSpec
{
    public override string Type => "rmsnorm";
}

public sealed record DropoutLayer(double Rate) : LayerSpec
{
    public override string Type => "dropout";
}

public enum ActivationKind { Relu, LeakyRelu, Gelu, Silu, Tanh, Sigmoid, Softmax }

public sealed record ActivationLayer(ActivationKind Kind, double NegativeSlope = 0.01) : LayerSpec
{
    public override string Type => Kind switch
    {
        ActivationKind.Relu => "relu",
        ActivationKind.LeakyRelu => "leaky_relu",
        ActivationKind.Gelu => "gelu",
        ActivationKind.Silu => "silu",
        ActivationKind.Tanh => "tanh",
        ActivationKind.Sigmoid => "sigmoid",
        _ => "softmax",
    };
}

/// <summary>Token ids (S) → vectors (S, Dim).</summary>
public sealed record EmbeddingLayer(long Vocab, long Dim) : LayerSpec
{
    public override string Type => "embedding";
}

public enum RecurrentKind { Rnn, Lstm, Gru }

/// <summary>
/// RNN/LSTM/GRU as PyTorch has them: per layer and direction, W_ih (G·H × In), W_hh (G·H × H) and, with bias,
/// both b_ih and b_hh (G = 1, 4, 3). Input is (S, F) batch-first; output (S, D·H), or (D·H) for the last step
/// when <see cref="ReturnSequences"/> is false (the Keras default for a classifier head).
/// </summary>
public sealed record RecurrentLayer(
    RecurrentKind Kind,
    long Hidden,
    int NumLayers = 1,
    bool Bidirectional = false,
    bool BatchFirst = true,
    bool Bias = true,
    bool ReturnSequences = true) : LayerSpec
{
    public override string Type => Kind switch
    {
        RecurrentKind.Rnn => "rnn",
        RecurrentKind.Lstm => "lstm",
        _ => "gru",
    };
}

/// <summary>Multi-head self-attention over (S, E): Q, K, V and output projections, with optional GQA (KvHeads &lt; Heads).</summary>
public sealed record AttentionLayer(int Heads, int? KvHeads = null, bool Causal = false, bool Bias = true) : LayerSpec
{
    public override string Type => "attention";
}

/// <summary>
/// y = body(x) + shortcut(x): the ResNet block. The shortcut is the identity, or the <see cref="Projection"/>
/// layers (typically a 1x1 strided conv and batch norm) when the body changes the shape.
/// </summary>
public sealed record ResidualLayer(IReadOnlyList<LayerSpec> Body, IReadOnlyList<LayerSpec>? Projection = null) : LayerSpec
{
    public override string Type => "residual";
}
