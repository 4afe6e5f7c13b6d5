using ScaleLab.Core.Spec;

namespace ScaleLab.Core.FineTuning;

/// <summary>One targeted matrix's adapters over the whole model: A (r × in) and B (out × r), per copy, per layer.</summary>
public sealed record AdapterRow(BlockMatrix Matrix, int Rank, int Layers)
{
    public long PerCopy => checked(Rank * (Matrix.In + Matrix.Out));

    public long Parameters => checked(PerCopy * Matrix.Copies * Layers);
}

/// <summary>The adapters of a LoRA configuration on a model, one row per targeted matrix.</summary>
public sealed record LoraAdapterCount(IReadOnlyList<AdapterRow> Rows)
{
    public long Parameters => Rows.Sum(r => r.Parameters);
}

/// <summary>
/// Trainable parameters of LoRA (Hu et al. 2021, §4.1): for every targeted W (out × in) in every layer, A is r × in and
/// B is out × r, so r·(in + out) parameters; biases stay frozen (PEFT's bias="none"). Llama-2-7B, r = 8 on q and v:
/// 32 layers × 2 × 8 × (4096 + 4096) = 4,194,304 — what PEFT prints ("trainable params: 4,194,304 || all params:
/// 6,742,609,920"). Mixture of experts: each expert's gate, up and down are separate linear layers in transformers'
/// Mixtral, so PEFT wraps each one: E adapters per targeted FFN matrix per layer, of which top-k run per token; the
/// router is not adapted.
/// </summary>
public static class LoraAdapters
{
    public static LoraAdapterCount Count(TransformerSpec model, LoraConfig lora)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(lora);
        lora.Validated();
        var rows = BlockMatrices.Of(model)
            .Where(matrix => matrix.Target != LoraTargets.None && (lora.Targets & matrix.Target) == matrix.Target)
            .Select(matrix => new AdapterRow(matrix, lora.Rank, matrix.Layers))
            .ToList();
        return new LoraAdapterCount(rows);
    }
}
