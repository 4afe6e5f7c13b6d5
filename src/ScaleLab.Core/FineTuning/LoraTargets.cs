namespace ScaleLab.Core.FineTuning;

/// <summary>
/// The linear layers of a transformer block a LoRA adapter can wrap, by PEFT's module names for Llama-style models
/// (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj). A plain FFN (GPT-2, BERT) has up and down only.
/// </summary>
[Flags]
public enum LoraTargets
{
    None = 0,
    Q = 1,
    K = 2,
    V = 4,
    O = 8,
    Gate = 16,
    Up = 32,
    Down = 64,

    /// <summary>PEFT's target_modules="all-linear": every linear layer of the blocks, the LM head excluded.</summary>
    AllLinear = Q | K | V | O | Gate | Up | Down,
}

public static class LoraTargetsInfo
{
    /// <summary>The targets in block order, with their short names.</summary>
    public static IReadOnlyList<(LoraTargets Target, string Name)> Each { get; } =
        [(LoraTargets.Q, "q"), (LoraTargets.K, "k"), (LoraTargets.V, "v"), (LoraTargets.O, "o"),
         (LoraTargets.Gate, "gate"), (LoraTargets.Up, "up"), (LoraTargets.Down, "down")];

    /// <summary>"q,v", "all-linear", or a comma list of q, k, v, o, gate, up, down (PEFT's q_proj … down_proj also accepted).</summary>
    public static LoraTargets Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Equals("all-linear", StringComparison.OrdinalIgnoreCase)) return LoraTargets.AllLinear;
        var targets = LoraTargets.None;
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string name = part.ToLowerInvariant();
            if (name.EndsWith("_proj", StringComparison.Ordinal)) name = name[..^5];
            var match = Each.FirstOrDefault(e => e.Name == name);
            if (match.Target == LoraTargets.None)
                throw new FineTuneException($"--lora-targets '{text}': unknown module '{part}'; valid: all-linear, or a comma list of q, k, v, o, gate, up, down");
            targets |= match.Target;
        }
        return targets == LoraTargets.None
            ? throw new FineTuneException($"--lora-targets '{text}': names no module; valid: all-linear, or a comma list of q, k, v, o, gate, up, down")
            : targets;
    }

    /// <summary>"q,v" or "all-linear".</summary>
    public static string Name(this LoraTargets targets) => targets == LoraTargets.AllLinear
        ? "all-linear"
        : string.Join(",", Each.Where(e => targets.HasFlag(e.Target)).Select(e => e.Name));
}
