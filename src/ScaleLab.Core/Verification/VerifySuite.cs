using System.Reflection;
using ScaleLab.Core.Presets;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Verification;

/// <summary>One model of the verify suite and the batch sizes it is measured at.</summary>
public sealed record SuiteModel(string Name, ModelSpec Spec, IReadOnlyList<int> Batches);

/// <summary>
/// `scalelab verify --suite`: eight models, one per family the estimator must get right, each at three batch sizes
/// chosen so the step's memory is 15–120 MiB (well above the 1 MiB the runtime's own growth can add, and small enough
/// for a laptop): the seed MLP, LeNet-5 and the Keras CNN (presets), and from examples/verify a ResNet block stack,
/// an LSTM classifier, a character GPT (multi-head attention), a GQA + SwiGLU + RMSNorm decoder and a small MoE.
/// </summary>
public static class VerifySuite
{
    private const string Prefix = "ScaleLab.VerifySuite.";

    public static IReadOnlyList<SuiteModel> Models { get; } =
    [
        new("mlp-784-1000-500-250", ModelPresets.Load("mlp-784-1000-500-250"), [256, 512, 1024]),
        new("lenet-5", ModelPresets.Load("lenet-5"), [256, 512, 1024]),
        new("keras-mnist-cnn", ModelPresets.Load("keras-mnist-cnn"), [64, 128, 256]),
        Embedded("resnet-stack", [16, 32, 64]),
        Embedded("lstm-classifier", [64, 128, 256]),
        Embedded("char-gpt", [4, 8, 16]),
        Embedded("gqa-decoder", [4, 8, 16]),
        Embedded("small-moe", [4, 8, 16]),
    ];

    /// <summary>The suite's batch sizes for <paramref name="name"/>, or null when it is not a suite model.</summary>
    public static IReadOnlyList<int>? BatchesFor(string name) => Models.FirstOrDefault(m => m.Name == name)?.Batches;

    private static SuiteModel Embedded(string name, IReadOnlyList<int> batches)
    {
        using var stream = typeof(VerifySuite).Assembly.GetManifestResourceStream(Prefix + name + ".json")
            ?? throw new InvalidOperationException($"the verify suite's {name}.json is not embedded");
        using var reader = new StreamReader(stream);
        return new SuiteModel(name, ModelSpecJson.Parse(reader.ReadToEnd(), "verify-suite:" + name, name), batches);
    }
}
