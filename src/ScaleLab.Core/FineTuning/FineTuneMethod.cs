namespace ScaleLab.Core.FineTuning;

/// <summary>
/// How a pretrained model is adapted. Full: every parameter trains (a training plan). LoRA (Hu et al. 2021): the base is
/// frozen in 16 bits and low-rank adapters train. QLoRA (Dettmers et al. 2023): the base is frozen in NF4 with
/// double-quantized block scales and the adapters train in higher precision.
/// </summary>
public enum FineTuneMethod { Full, Lora, Qlora }

public static class FineTuneMethodInfo
{
    /// <summary>The name on the command line and in JSON; one explicit map, so renaming a member never changes the output.</summary>
    public static string Name(this FineTuneMethod method) => method switch
    {
        FineTuneMethod.Full => "full",
        FineTuneMethod.Lora => "lora",
        FineTuneMethod.Qlora => "qlora",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    public static bool UsesAdapters(this FineTuneMethod method) => method is FineTuneMethod.Lora or FineTuneMethod.Qlora;

    public static FineTuneMethod Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "full" => FineTuneMethod.Full,
            "lora" => FineTuneMethod.Lora,
            "qlora" => FineTuneMethod.Qlora,
            _ => throw new FineTuneException($"--finetune '{text}': unknown; valid: full, lora, qlora"),
        };
    }
}

/// <summary>A fine-tuning option that cannot be: a rank below 1, an unknown target module, a dropout of 1 or more.</summary>
public sealed class FineTuneException : ScaleLabException
{
    public FineTuneException() { }

    public FineTuneException(string message) : base(message) { }

    public FineTuneException(string message, Exception inner) : base(message, inner) { }
}
