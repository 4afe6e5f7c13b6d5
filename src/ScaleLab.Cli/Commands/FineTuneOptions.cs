using System.CommandLine;
using ScaleLab.Core.FineTuning;

namespace ScaleLab.Cli.Commands;

/// <summary>The fine-tuning options `plan` and `estimate` share: --finetune, --lora-rank, --lora-alpha, --lora-targets, --lora-dropout.</summary>
internal sealed class FineTuneOptions
{
    public Option<string?> Method { get; } = new("--finetune") { Description = "full | lora | qlora: fine-tune every parameter, or LoRA adapters on a frozen 16-bit (lora) or NF4 (qlora) base" };
    public Option<int> Rank { get; } = new("--lora-rank") { Description = "LoRA rank r (PEFT's default 8)", DefaultValueFactory = _ => 8 };
    public Option<double?> Alpha { get; } = new("--lora-alpha") { Description = "LoRA α; the update is scaled by α/r (default: r, PEFT's 8 at r = 8); changes no count" };
    public Option<string> Targets { get; } = new("--lora-targets") { Description = "Adapted matrices: q,v (default), all-linear, or a comma list of q, k, v, o, gate, up, down", DefaultValueFactory = _ => "q,v" };
    public Option<double> Dropout { get; } = new("--lora-dropout") { Description = "Dropout on each adapter's input (PEFT's default 0); above 0 it keeps a mask per targeted matrix", DefaultValueFactory = _ => 0 };

    public Option<string> Dtype { get; } = new("--lora-dtype") { Description = "Adapter weights and gradients: fp32 (PEFT's default) or bf16 (as qlora.py keeps them under --bf16)", DefaultValueFactory = _ => "fp32" };

    public IEnumerable<Option> All => [Method, Rank, Alpha, Targets, Dropout, Dtype];

    /// <summary>Null without --finetune; otherwise the validated setup.</summary>
    public FineTuneSetup? Parse(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        string? text = parse.GetValue(Method);
        bool adapters = text is not null && FineTuneMethodInfo.Parse(text).UsesAdapters();
        foreach (var option in new Option[] { Rank, Alpha, Targets, Dropout, Dtype })
            if (!adapters && parse.GetResult(option) is { Implicit: false })
                throw new FineTuneException($"{option.Name} configures LoRA adapters; it needs --finetune lora or qlora{(text is null ? "" : $", got --finetune {text}")}");
        if (text is null) return null;
        string dtype = parse.GetValue(Dtype)!;
        int bytes = dtype.Trim().ToLowerInvariant() switch
        {
            "fp32" or "float32" => 4,
            "bf16" or "bfloat16" => 2,
            _ => throw new FineTuneException($"--lora-dtype '{dtype}': unknown; valid: fp32, bf16"),
        };
        var lora = new LoraConfig(parse.GetValue(Rank), parse.GetValue(Alpha), LoraTargetsInfo.Parse(parse.GetValue(Targets)!), parse.GetValue(Dropout), bytes);
        return new FineTuneSetup(FineTuneMethodInfo.Parse(text), lora.Validated());
    }
}
