using System.Text.Json;

namespace ScaleLab.Core.Spec;

/// <summary>
/// Reads one layer object of a spec file ({"type": "conv2d", "filters": 32, "kernel": 3}) into a validated
/// <see cref="LayerSpec"/>. Field names and defaults follow SPEC_FORMAT.md (PyTorch's defaults where it has one).
/// Shapes are not checked here; <see cref="ShapeInference"/> does that once the whole stack is known.
/// </summary>
internal static class LayerSpecJson
{
    /// <summary>Residual blocks inside residual blocks: deeper than this is a malformed (or hostile) file.</summary>
    public const int MaxNesting = 16;

    /// <summary>Layers in one list: far beyond any real network, small enough to keep a hostile file cheap.</summary>
    public const int MaxLayers = 100_000;

    public static readonly IReadOnlyList<string> ValidTypes =
    [
        "linear", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
        "adaptive_avg_pool1d", "adaptive_avg_pool2d", "global_avg_pool1d", "global_avg_pool2d", "flatten",
        "batchnorm1d", "batchnorm2d", "layernorm", "rmsnorm", "dropout",
        "relu", "leaky_relu", "gelu", "silu", "tanh", "sigmoid", "softmax",
        "embedding", "rnn", "lstm", "gru", "attention", "residual",
    ];

    public static IReadOnlyList<LayerSpec> ReadList(JsonElement array, string source, string path, int depth)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw new SpecException(source, path, $"expected a list of layers, found {SpecJsonObject.Describe(array)}");
        if (depth > MaxNesting)
            throw new SpecException(source, path, $"residual blocks are nested {depth} deep; at most {MaxNesting} levels are allowed");
        int count = array.GetArrayLength();
        if (count > MaxLayers)
            throw new SpecException(source, path, $"{count} layers; at most {MaxLayers} are allowed in one list");
        var layers = new List<LayerSpec>(count);
        int i = 0;
        foreach (var element in array.EnumerateArray())
        {
            layers.Add(Read(element, source, $"{path}[{i}]", depth));
            i++;
        }
        return layers;
    }

    private static LayerSpec Read(JsonElement element, string source, string path, int depth)
    {
        var o = new SpecJsonObject(element, source, path);
        string validTypes = string.Join(", ", ValidTypes);
        string type = o.RequiredString("type", "one of: " + validTypes);
        o.Location = $"{path} ({type})";
        LayerSpec layer = type switch
        {
            "linear" => new LinearLayer(o.RequiredLong("units", "the output width, e.g. 128", 1, TransformerSpecJson.MaxWidth), o.OptionalBool("bias", true)),
            "conv1d" => Conv(o, 1),
            "conv2d" => Conv(o, 2),
            "max_pool1d" => Pool(o, PoolKind.Max, 1),
            "max_pool2d" => Pool(o, PoolKind.Max, 2),
            "avg_pool1d" => Pool(o, PoolKind.Average, 1),
            "avg_pool2d" => Pool(o, PoolKind.Average, 2),
            "adaptive_avg_pool1d" => new AdaptiveAvgPoolLayer(1, o.RequiredTuple("output", 1, 1, "the output length, e.g. 1")),
            "adaptive_avg_pool2d" => new AdaptiveAvgPoolLayer(2, o.RequiredTuple("output", 2, 1, "the output size, e.g. [1, 1]")),
            "global_avg_pool1d" => new AdaptiveAvgPoolLayer(1, [1], Global: true),
            "global_avg_pool2d" => new AdaptiveAvgPoolLayer(2, [1, 1], Global: true),
            "flatten" => new FlattenLayer(),
            "batchnorm1d" => BatchNorm(o, 1),
            "batchnorm2d" => BatchNorm(o, 2),
            "layernorm" => new LayerNormLayer(Eps(o, 1e-5), o.OptionalBool("affine", true), o.OptionalBool("bias", true)),
            "rmsnorm" => new RmsNormLayer(Eps(o, 1e-6)),
            "dropout" => new DropoutLayer(o.OptionalDouble("rate", 0.5, 0, 1, maxExclusive: true)),
            "relu" => new ActivationLayer(ActivationKind.Relu),
            "leaky_relu" => new ActivationLayer(ActivationKind.LeakyRelu, o.OptionalDouble("negative_slope", 0.01, 0, 1)),
            "gelu" => new ActivationLayer(ActivationKind.Gelu),
            "silu" => new ActivationLayer(ActivationKind.Silu),
            "tanh" => new ActivationLayer(ActivationKind.Tanh),
            "sigmoid" => new ActivationLayer(ActivationKind.Sigmoid),
            "softmax" => new ActivationLayer(ActivationKind.Softmax),
            "embedding" => new EmbeddingLayer(o.RequiredLong("vocab", "the number of token ids, e.g. 10000", 1, TransformerSpecJson.MaxVocab), o.RequiredLong("dim", "the vector width, e.g. 64", 1, TransformerSpecJson.MaxWidth)),
            "rnn" => Recurrent(o, RecurrentKind.Rnn),
            "lstm" => Recurrent(o, RecurrentKind.Lstm),
            "gru" => Recurrent(o, RecurrentKind.Gru),
            "attention" => Attention(o),
            "residual" => Residual(o, path, depth),
            _ => throw o.Fail($"unknown type \"{type}\"; valid types: {validTypes}"),
        };
        layer = layer with { Name = o.OptionalString("name") };
        o.RejectUnknownFields();
        return layer;
    }

    private static ConvLayer Conv(SpecJsonObject o, int rank)
    {
        long filters = o.RequiredLong("filters", "the number of output channels, e.g. 32", 1, TransformerSpecJson.MaxWidth);
        var kernel = o.RequiredTuple("kernel", rank, 1, rank == 1 ? "the kernel length, e.g. 3" : "the kernel size, e.g. 3 or [3, 3]");
        var stride = o.OptionalTuple("stride", rank, 1) ?? Ones(rank);
        var dilation = o.OptionalTuple("dilation", rank, 1) ?? Ones(rank);
        int groups = o.OptionalInt("groups", 1, 1, (int)TransformerSpecJson.MaxWidth);
        bool bias = o.OptionalBool("bias", true);
        var (mode, padding) = Padding(o, rank);
        return new ConvLayer(rank, filters, kernel, stride, mode, padding, dilation, groups, bias);
    }

    /// <summary>padding: an int, a list, or "same" / "valid" as in PyTorch's Conv2d.</summary>
    private static (PaddingMode Mode, IReadOnlyList<int> Padding) Padding(SpecJsonObject o, int rank)
    {
        var raw = o.Raw("padding");
        if (raw is { ValueKind: JsonValueKind.String })
        {
            return raw.Value.GetString() switch
            {
                "same" => (PaddingMode.Same, Zeros(rank)),
                "valid" => (PaddingMode.Valid, Zeros(rank)),
                _ => throw o.Fail($"padding is {SpecJsonObject.Describe(raw.Value)}; it must be \"same\", \"valid\", an integer, at least 0, or a list of {rank} such integers"),
            };
        }
        return (PaddingMode.Explicit, o.OptionalTuple("padding", rank, 0) ?? Zeros(rank));
    }

    private static PoolLayer Pool(SpecJsonObject o, PoolKind kind, int rank)
    {
        var kernel = o.RequiredTuple("kernel", rank, 1, rank == 1 ? "the window length, e.g. 2" : "the window size, e.g. 2 or [2, 2]");
        // PyTorch: stride defaults to the kernel size (non-overlapping windows).
        var stride = o.OptionalTuple("stride", rank, 1) ?? kernel;
        var padding = o.OptionalTuple("padding", rank, 0) ?? Zeros(rank);
        for (int d = 0; d < rank; d++)
        {
            // Same rule as PyTorch's pooling: "pad should be at most half of effective kernel size".
            if (padding[d] * 2 > kernel[d])
                throw o.Fail($"padding {padding[d]} is more than half of kernel {kernel[d]}; PyTorch allows at most {kernel[d] / 2}");
        }
        return new PoolLayer(kind, rank, kernel, stride, padding);
    }

    private static BatchNormLayer BatchNorm(SpecJsonObject o, int rank) =>
        new(rank, Eps(o, 1e-5), o.OptionalDouble("momentum", 0.1, 0, 1), o.OptionalBool("affine", true));

    private static double Eps(SpecJsonObject o, double fallback) => o.OptionalDouble("eps", fallback, 0, 1);

    private static RecurrentLayer Recurrent(SpecJsonObject o, RecurrentKind kind) => new(
        kind,
        o.RequiredLong("hidden", "the hidden width, e.g. 128", 1, TransformerSpecJson.MaxWidth),
        o.OptionalInt("num_layers", 1, 1, 1000),
        o.OptionalBool("bidirectional", false),
        o.OptionalBool("batch_first", true),
        o.OptionalBool("bias", true),
        o.OptionalBool("return_sequences", true));

    private static AttentionLayer Attention(SpecJsonObject o)
    {
        int heads = o.RequiredInt("heads", "the number of attention heads, e.g. 8", 1, TransformerSpecJson.MaxHeads);
        int? kvHeads = o.Has("kv_heads") ? o.OptionalInt("kv_heads", heads, 1, TransformerSpecJson.MaxHeads) : null;
        o.Raw("kv_heads");
        if (kvHeads is { } kv && heads % kv != 0)
            throw o.Fail($"kv_heads {kv} does not divide heads {heads}; grouped-query attention shares each K/V head among heads/kv_heads query heads");
        return new AttentionLayer(heads, kvHeads, o.OptionalBool("causal", false), o.OptionalBool("bias", true));
    }

    private static ResidualLayer Residual(SpecJsonObject o, string path, int depth)
    {
        var body = o.Raw("body") ?? throw o.Fail("missing field 'body' (the list of layers whose output is added to the input)");
        var bodyLayers = ReadList(body, o.Source, path + ".body", depth + 1);
        if (bodyLayers.Count == 0) throw o.Fail("body is an empty list; a residual block needs at least one layer");
        var projection = o.Raw("projection");
        IReadOnlyList<LayerSpec>? projectionLayers = projection is null ? null : ReadList(projection.Value, o.Source, path + ".projection", depth + 1);
        return new ResidualLayer(bodyLayers, projectionLayers is { Count: > 0 } ? projectionLayers : null);
    }

    private static int[] Ones(int rank) => Enumerable.Repeat(1, rank).ToArray();

    private static int[] Zeros(int rank) => new int[rank];
}
