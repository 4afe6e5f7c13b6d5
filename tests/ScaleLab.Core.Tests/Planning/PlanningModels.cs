using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Tests.Planning;

/// <summary>Hand-built model costs with round, known numbers, so the planning formulas can be checked by hand.</summary>
internal static class PlanningModels
{
    /// <summary>A one-row layer stack with <paramref name="parameters"/> parameters (each used once per sample: MACs = parameters).</summary>
    public static ModelCost Dense(long parameters, long activationElements = 0, long buffers = 0) =>
        new(new ModelSpec { Name = "dense", Input = Shape.Of(1) },
            [new LayerCost("layers[0]", "linear", 0, Shape.Of(1), parameters, buffers, parameters, parameters, 0, activationElements)],
            1);

    /// <summary>A transformer cost with the given totals; forward MACs = active parameters × tokens (no attention term).</summary>
    public static ModelCost Transformer(TransformerSpec spec, long parameters, long activeParameters, long sequence) =>
        new(new ModelSpec { Name = "transformer", Transformer = spec, Task = TaskKind.LanguageModel },
            [new LayerCost("blocks", "transformer", 0, Shape.Of(sequence, spec.DModel), parameters, 0, activeParameters,
                checked(activeParameters * sequence), 0, 0)],
            sequence);

    /// <summary>GPT-3 175B's shape (Brown et al. 2020, Table 2.1): the model Korthikanti et al. 2022 use throughout.</summary>
    public static TransformerSpec Gpt3 { get; } = new()
    {
        VocabSize = 51_200, DModel = 12_288, Layers = 96, Heads = 96, FfnSize = 4 * 12_288, MaxPositions = 2048,
    };

    /// <summary>Llama-2-7B's shape (Touvron et al. 2023): 6,738,415,616 parameters, untied 32,000-row embeddings.</summary>
    public static TransformerSpec Llama2_7B { get; } = new()
    {
        VocabSize = 32_000, DModel = 4096, Layers = 32, Heads = 32, FfnSize = 11_008, FeedForward = FeedForwardKind.SwiGlu,
        Activation = ActivationKind.Silu, Norm = NormKind.RmsNorm, Positions = PositionKind.Rotary, MaxPositions = 4096,
        Bias = BiasKind.None,
    };

    /// <summary>Mixtral-8x7B's shape: 46,702,792,704 parameters, 12,879,925,248 active (8 experts, top 2).</summary>
    public static TransformerSpec Mixtral { get; } = Llama2_7B with
    {
        FfnSize = 14_336, KvHeads = 8, Experts = 8, TopK = 2, MaxPositions = 32_768,
    };
}
