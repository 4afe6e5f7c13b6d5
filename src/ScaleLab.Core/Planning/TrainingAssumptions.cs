using System.Globalization;
using ScaleLab.Core.Accounting;

namespace ScaleLab.Core.Planning;

/// <summary>
/// The assumptions behind a training plan's activation figure, stated so a reader can check them against their run:
/// the attention kernel, which dropout masks are kept and why, and the formats activations are kept in.
/// </summary>
public static class TrainingAssumptions
{
    public static IReadOnlyList<string> For(ModelCost cost, TrainingSetup setup)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(setup);
        var m = cost.Spec.Transformer;
        if (m is null) return ["layer stack: activations are the accounting's kept elements × micro-batch; dropout layers keep their masks"];

        var lines = new List<string>
        {
            setup.Attention == AttentionKernel.Flash
                ? "attention flash: fused kernel, no s×s scores kept; fp32 log-sum-exp per head and token (--attention eager keeps them)"
                : "attention eager: softmax output (2·a·s² bytes per layer and sequence) kept unless recomputed",
        };
        var d = TrainingDropout.For(m, setup.Dropout);
        string source = setup.Dropout == false ? "--no-dropout"
            : m.Dropout is null ? $"the model states none; {Rate(TrainingDropout.Unstated)} assumed (GPT-2/BERT)"
            : "from the model";
        lines.Add(!d.Hidden && !d.Attention
            ? $"dropout none ({source}): no masks kept"
            : $"dropout {Rate(d.HiddenRate)} residual/embedding, {Rate(d.AttentionRate)} attention ({source}): 1-byte masks kept"
              + (d.Attention && setup.Attention == AttentionKernel.Flash ? "; the fused kernel regenerates the attention mask" : ""));
        lines.Add($"activations {(setup.State.ActivationBytes == 2 ? "16-bit" : "fp32")}; logits fp32 (4 B × s × vocab {m.VocabSize.ToString("#,0", CultureInfo.InvariantCulture)}, often the largest tensor)");
        return lines;
    }

    private static string Rate(double p) => p.ToString("0.###", CultureInfo.InvariantCulture);
}
