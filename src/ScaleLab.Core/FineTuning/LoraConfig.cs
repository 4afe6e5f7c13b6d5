using System.Globalization;

namespace ScaleLab.Core.FineTuning;

/// <summary>
/// A LoRA adapter configuration (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", §4.1): each
/// targeted W (out × in) gains B·A with A (r × in) and B (out × r), scaled by α/r; only A and B train.
/// Defaults are PEFT's LoraConfig (peft/tuners/lora/config.py): r = 8, lora_alpha = 8, lora_dropout = 0.0; the targets
/// default to q and v, the paper's choice (§7.1) and PEFT's default for Llama (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING).
/// </summary>
/// <param name="Alpha">The scale numerator α; null means α = r (PEFT's default 8 at r = 8). It changes no count.</param>
/// <param name="Dropout">Dropout on each adapter's input; above 0 it keeps a mask and the dropped copy per targeted matrix.</param>
/// <param name="AdapterBytes">Bytes per adapter weight and gradient: 4 (fp32, PEFT's autocast_adapter_dtype default) or 2
/// (bf16, as the QLoRA reference script qlora.py casts LoRA layers under --bf16).</param>
public sealed record LoraConfig(int Rank = 8, double? Alpha = null, LoraTargets Targets = LoraTargets.Q | LoraTargets.V, double Dropout = 0,
    int AdapterBytes = 4)
{
    public const int MaxRank = 1 << 16;

    public double EffectiveAlpha => Alpha ?? Rank;

    public LoraConfig Validated()
    {
        if (Rank is < 1 or > MaxRank) throw new FineTuneException($"--lora-rank {Text(Rank)}: it must be from 1 to {Text(MaxRank)} (8, 16, 64 are usual)");
        if (Alpha is { } a && (!double.IsFinite(a) || a <= 0)) throw new FineTuneException($"--lora-alpha {Text(a)}: it must be a positive number (16 or 2 × rank are usual)");
        if (!double.IsFinite(Dropout) || Dropout is < 0 or >= 1) throw new FineTuneException($"--lora-dropout {Text(Dropout)}: it must be at least 0 and below 1 (0.05 and 0.1 are usual)");
        if (AdapterBytes is not (2 or 4)) throw new FineTuneException($"--lora-dtype: {AdapterBytes.ToString(CultureInfo.InvariantCulture)} bytes per adapter weight; valid: fp32 (4), bf16 (2)");
        if (Targets == LoraTargets.None) throw new FineTuneException("--lora-targets names no module; valid: all-linear, or a comma list of q, k, v, o, gate, up, down");
        return this;
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What is fine-tuned and how: the method and, for LoRA and QLoRA, the adapters.</summary>
public sealed record FineTuneSetup(FineTuneMethod Method, LoraConfig Lora)
{
    public static FineTuneSetup Full { get; } = new(FineTuneMethod.Full, new LoraConfig());
}
