using System.Globalization;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.FineTuning;
using ScaleLab.Core.Spec;

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
        if (m.IsMixtureOfExperts)
            lines.Add($"mixture of experts: top {m.TopK} of {m.Experts} per token, "
                + (setup.CapacityFactor == 1 ? "dropless" : $"capacity factor {Rate(setup.CapacityFactor)}")
                + "; fp32 router probabilities, dispatched inputs and expert outputs kept");
        if (setup.FineTune is { } ft && ft.Method.UsesAdapters()) lines.AddRange(FineTune(ft, setup, m));
        return lines;
    }

    private static IEnumerable<string> FineTune(FineTuneSetup ft, TrainingSetup setup, TransformerSpec m)
    {
        var lora = ft.Lora;
        yield return ft.Method == FineTuneMethod.Qlora
            ? "base frozen in NF4: 4 + 8/64 + 32/(64·256) = 4.127 bits per weight of every block matrix (64-weight blocks, 8-bit scales double-quantized in blocks of 256 with fp32 scales; Dettmers et al. 2023, bitsandbytes); embeddings, norms and LM head bf16"
            : $"base frozen in {setup.Format.Name()}: no gradients or optimizer state for it";
        yield return $"LoRA r {lora.Rank.ToString(CultureInfo.InvariantCulture)}, alpha {lora.EffectiveAlpha.ToString("0.###", CultureInfo.InvariantCulture)} on {lora.Targets.Name()}"
            + (m.IsMixtureOfExperts ? " (each expert's FFN matrices adapted; the router is not)" : "")
            + (lora.AdapterBytes == 4 ? ": adapters fp32 (PEFT's autocast_adapter_dtype), fp32 gradients" : ": adapters and gradients bf16 (--lora-dtype bf16)")
            + $", {setup.Optimizer.Name()} state fp32"
            + (lora.Dropout > 0 ? $"; lora_dropout {Rate(lora.Dropout)} keeps a mask and a dropped copy per targeted matrix" : "");
        if (ft.Method == FineTuneMethod.Qlora && setup.Recompute == ActivationRecompute.Full)
            yield return "gradient checkpointing (recompute full), as QLoRA recipes run it: peft's prepare_model_for_kbit_training enables it by default";
    }

    private static string Rate(double p) => p.ToString("0.###", CultureInfo.InvariantCulture);
}
