namespace ScaleLab.Core.Spec;

/// <summary>What the model is trained to do; decides the default loss and metrics.</summary>
public enum TaskKind { Classification, Regression, LanguageModel }

/// <summary>
/// A model: either a layer stack over an input shape, or a transformer described by hyper-parameters.
/// Exactly one of <see cref="Layers"/> (with <see cref="Input"/>) or <see cref="Transformer"/> is set.
/// </summary>
public sealed record ModelSpec
{
    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary>Shape of one input sample, e.g. 1x28x28; for token models, the sequence length (S).</summary>
    public Shape? Input { get; init; }

    /// <summary>True when the input holds token ids (an embedding comes first) rather than real values.</summary>
    public bool InputIsTokens { get; init; }

    public IReadOnlyList<LayerSpec> Layers { get; init; } = [];

    public TransformerSpec? Transformer { get; init; }

    public TaskKind Task { get; init; } = TaskKind.Classification;

    /// <summary>Where the spec came from (a file path, "preset:gpt2-small", an HF config), for messages.</summary>
    public string Source { get; init; } = "<memory>";
}
