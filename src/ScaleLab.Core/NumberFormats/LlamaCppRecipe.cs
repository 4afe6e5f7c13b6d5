using ScaleLab.Core.Spec;

namespace ScaleLab.Core.NumberFormats;

/// <summary>llama.cpp's quantization presets (llama_ftype: Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q4_0, IQ4_NL, IQ4_XS) that ScaleLab reproduces tensor by tensor.</summary>
public enum LlamaFtype { Q80, Q6K, Q5KM, Q5KS, Q4KM, Q4KS, Q40, Iq4Nl, Iq4Xs }

public static class LlamaFtypeInfo
{
    private static readonly (LlamaFtype Ftype, string Name)[] Names =
    [
        (LlamaFtype.Q80, "q8_0"), (LlamaFtype.Q6K, "q6_k"), (LlamaFtype.Q5KM, "q5_k_m"), (LlamaFtype.Q5KS, "q5_k_s"),
        (LlamaFtype.Q4KM, "q4_k_m"), (LlamaFtype.Q4KS, "q4_k_s"), (LlamaFtype.Q40, "q4_0"), (LlamaFtype.Iq4Nl, "iq4_nl"), (LlamaFtype.Iq4Xs, "iq4_xs"),
    ];

    /// <summary>llama.cpp's name, lower case: "q4_k_m".</summary>
    public static string Name(this LlamaFtype ftype) => Names.First(n => n.Ftype == ftype).Name;

    public static LlamaFtype? Find(string name) =>
        Names.FirstOrDefault(n => n.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase)) is { Name: not null } hit ? hit.Ftype : null;
}

/// <summary>
/// A llama.cpp preset as its quantize code assigns types per tensor (ggml-org/llama.cpp src/llama-quant.cpp,
/// llama_tensor_get_type_impl, for non-Falcon architectures, without an importance matrix):
///   default type: Q8_0, Q6_K, Q5_K (Q5_K_M/S), Q4_K (Q4_K_M/S), Q4_0, IQ4_NL, IQ4_XS;
///   output.weight (and token_embd when tied to it): Q6_K, or Q8_0 when the preset is Q8_0 or the width is not a
///   multiple of the block; untied token_embd keeps the default type;
///   attn_v: IQ4_NL/IQ4_XS with n_head/n_head_kv ≥ 4 → Q5_K; Q4_K_M/Q5_K_M on "use_more_bits" layers → Q6_K;
///   Q4_K_S on the first 4 layers → Q5_K; with 8 experts → Q8_0 (attn_k too);
///   ffn_down: Q4_K_M and Q5_K_M on use_more_bits layers → Q6_K; IQ4_NL/IQ4_XS and Q4_K_S on the first n_layer/8 → Q5_K;
///   attn_output with 8 experts: Q5_K for Q4_K_S, Q4_K_M, IQ4_NL, IQ4_XS;
///   use_more_bits(i, n) = i &lt; n/8 || i ≥ 7n/8 || (i − n/8) % 3 == 2;
///   a row width that is not a multiple of the block falls back (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0,
///   IQ4_XS → IQ4_NL; F16 if that fails too);
///   not quantized: norms and biases (1-D, F32 as convert_hf_to_gguf writes them), the expert router ffn_gate_inp
///   (F32), learned position and token-type tables (F32).
/// Not reproduced: the 70B-specific attn_v bump (LLM_TYPE_70B), Falcon's rules, imatrix-dependent choices.
/// </summary>
public sealed class LlamaCppRecipe(LlamaFtype ftype) : WeightRecipe
{
    public LlamaFtype Ftype { get; } = ftype;

    public override string Name => Ftype.Name();

    public override string Description =>
        $"llama.cpp {Ftype.Name().ToUpperInvariant()} mix (src/llama-quant.cpp: default {Default.Name}, output Q6_K, attn_v/ffn_down upgraded on some layers; norms F32)";

    public BlockFormat Default => Ftype switch
    {
        LlamaFtype.Q80 => BlockFormats.Q80,
        LlamaFtype.Q6K => BlockFormats.Q6K,
        LlamaFtype.Q5KM or LlamaFtype.Q5KS => BlockFormats.Q5K,
        LlamaFtype.Q4KM or LlamaFtype.Q4KS => BlockFormats.Q4K,
        LlamaFtype.Q40 => BlockFormats.Q40,
        LlamaFtype.Iq4Nl => BlockFormats.Iq4Nl,
        _ => BlockFormats.Iq4Xs,
    };

    public static bool UseMoreBits(int layer, int layers) =>
        layer < layers / 8 || layer >= 7 * layers / 8 || (layer - (layers / 8)) % 3 == 2;

    public override BlockFormat FormatFor(WeightTensor tensor, TransformerSpec model)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(model);
        var chosen = Choose(tensor, model);
        return chosen == BlockFormats.F32 ? chosen : Fallback(chosen, tensor.In);
    }

    private BlockFormat Choose(WeightTensor t, TransformerSpec m)
    {
        bool eightExperts = m.IsMixtureOfExperts && m.Experts == 8;
        int gqa = m.Heads / m.EffectiveKvHeads, layers = m.Layers, i = t.Layer;
        var f = Ftype;
        bool iq4 = f is LlamaFtype.Iq4Nl or LlamaFtype.Iq4Xs;
        switch (t.Role)
        {
            case TensorRole.Output:
            case TensorRole.TokenEmbedding when m.TiedEmbeddings || !m.LmHead:
                return t.In % Default.BlockElements != 0 || Default == BlockFormats.Q80 ? BlockFormats.Q80 : BlockFormats.Q6K;
            case TensorRole.TokenEmbedding:
                return Default;
            case TensorRole.Router or TensorRole.Unquantized:
                return BlockFormats.F32;
            case TensorRole.AttentionV:
            {
                var type = Default;
                if (iq4 && gqa >= 4) type = BlockFormats.Q5K;
                else if ((f is LlamaFtype.Q4KM or LlamaFtype.Q5KM) && UseMoreBits(i, layers)) type = BlockFormats.Q6K;
                else if (f == LlamaFtype.Q4KS && i < 4) type = BlockFormats.Q5K;
                return eightExperts ? BlockFormats.Q80 : type;
            }
            case TensorRole.AttentionK:
                return eightExperts ? BlockFormats.Q80 : Default;
            case TensorRole.FfnDown:
                if (f == LlamaFtype.Q4KM) return UseMoreBits(i, layers) ? BlockFormats.Q6K : Default;
                if (i < layers / 8 && iq4) return BlockFormats.Q5K;
                if (f == LlamaFtype.Q5KM && UseMoreBits(i, layers)) return BlockFormats.Q6K;
                if (f == LlamaFtype.Q4KS && i < layers / 8) return BlockFormats.Q5K;
                return Default;
            case TensorRole.AttentionOutput:
                return eightExperts && (f is LlamaFtype.Q4KS or LlamaFtype.Q4KM or LlamaFtype.Iq4Nl or LlamaFtype.Iq4Xs) ? BlockFormats.Q5K : Default;
            default:
                return Default;
        }
    }

    /// <summary>tensor_type_fallback: a row (ne[0] = in) that is not a whole number of blocks takes a 32-wide type.</summary>
    private static BlockFormat Fallback(BlockFormat type, long rowWidth)
    {
        if (rowWidth % type.BlockElements == 0) return type;
        var fallback = type.Name switch
        {
            "q4_k" => BlockFormats.Q50,
            "q5_k" => BlockFormats.Q51,
            "q6_k" => BlockFormats.Q80,
            "iq4_xs" => BlockFormats.Iq4Nl,
            "q2_k" or "q3_k" => BlockFormats.Q40,
            _ => BlockFormats.F16,
        };
        return rowWidth % fallback.BlockElements == 0 ? fallback : BlockFormats.F16;
    }
}
