using ScaleLab.Core.Spec;

namespace ScaleLab.Core.NumberFormats;

/// <summary>What a weight tensor is for; llama.cpp's quantize picks types by it (src/llama-quant.cpp, tensor_category).</summary>
public enum TensorRole { TokenEmbedding, Output, AttentionQ, AttentionK, AttentionV, AttentionOutput, FfnGate, FfnUp, FfnDown, Router, Unquantized }

/// <summary>One weight tensor (Out × In, ×Copies for stacked experts) in GGUF's terms; <see cref="Layer"/> is −1 outside the blocks.</summary>
public sealed record WeightTensor(string Name, TensorRole Role, int Layer, long In, long Out, int Copies = 1)
{
    public long Elements => checked(In * Out * Copies);
}

/// <summary>
/// A transformer's 2-D weight tensors as a GGUF file names them (token_embd, output, blk.N.attn_q …, ffn_*_exps for
/// experts), with learned position and token-type tables listed as <see cref="TensorRole.Unquantized"/> (llama.cpp never
/// quantizes them). Norm weights and biases are what remains of the parameter count.
/// </summary>
public static class WeightTensors
{
    public static IReadOnlyList<WeightTensor> Of(TransformerSpec m)
    {
        ArgumentNullException.ThrowIfNull(m);
        long d = m.DModel;
        var tensors = new List<WeightTensor> { new("token_embd", TensorRole.TokenEmbedding, -1, d, m.VocabSize) };
        if (m.Positions == PositionKind.Learned) tensors.Add(new("position_embd", TensorRole.Unquantized, -1, d, m.MaxPositions));
        if (m.TypeVocabSize > 0) tensors.Add(new("token_types", TensorRole.Unquantized, -1, d, m.TypeVocabSize));
        if (m.LmHead && !m.TiedEmbeddings) tensors.Add(new("output", TensorRole.Output, -1, d, m.VocabSize));
        for (int layer = 0; layer < m.Layers; layer++)
        {
            string blk = $"blk.{layer}.";
            Attention(tensors, m, blk, layer);
            if (!m.IsMoeLayer(layer))
            {
                Ffn(tensors, m, blk, "", layer, m.FfnSize, 1);
                continue;
            }
            Ffn(tensors, m, blk, "_exps", layer, m.EffectiveExpertFfnSize, m.Experts);
            if (m.SharedExperts > 0) Ffn(tensors, m, blk, "_shexp", layer, m.SharedExperts * m.EffectiveExpertFfnSize, 1);
            tensors.Add(new(blk + "ffn_gate_inp", TensorRole.Router, layer, d, m.Experts));
        }
        return tensors;
    }

    /// <summary>
    /// attn_q/k/v/output; for multi-head latent attention llama.cpp's deepseek2 names: attn_q (or attn_q_a and attn_q_b),
    /// attn_kv_a_mqa and attn_kv_b, which no attn_v rule of the quantizer matches (listed as K-role tensors), and attn_output.
    /// </summary>
    private static void Attention(List<WeightTensor> tensors, TransformerSpec m, string blk, int layer)
    {
        long d = m.DModel;
        if (m.Latent is { } mla)
        {
            long heads = m.Heads;
            if (mla.QueryRank is { } rq)
            {
                tensors.Add(new(blk + "attn_q_a", TensorRole.AttentionQ, layer, d, rq));
                tensors.Add(new(blk + "attn_q_b", TensorRole.AttentionQ, layer, rq, heads * mla.QkHeadDim));
            }
            else
            {
                tensors.Add(new(blk + "attn_q", TensorRole.AttentionQ, layer, d, heads * mla.QkHeadDim));
            }
            tensors.Add(new(blk + "attn_kv_a_mqa", TensorRole.AttentionK, layer, d, mla.KvRank + mla.RopeHeadDim));
            tensors.Add(new(blk + "attn_kv_b", TensorRole.AttentionK, layer, mla.KvRank, heads * (mla.NopeHeadDim + mla.ValueHeadDim)));
            tensors.Add(new(blk + "attn_output", TensorRole.AttentionOutput, layer, heads * mla.ValueHeadDim, d));
            return;
        }
        long hd = m.EffectiveHeadDim, q = m.Heads * hd, kv = m.EffectiveKvHeads * hd;
        tensors.Add(new(blk + "attn_q", TensorRole.AttentionQ, layer, d, q));
        tensors.Add(new(blk + "attn_k", TensorRole.AttentionK, layer, d, kv));
        tensors.Add(new(blk + "attn_v", TensorRole.AttentionV, layer, d, kv));
        tensors.Add(new(blk + "attn_output", TensorRole.AttentionOutput, layer, q, d));
    }

    private static void Ffn(List<WeightTensor> tensors, TransformerSpec m, string blk, string suffix, int layer, long f, int copies)
    {
        long d = m.DModel;
        if (m.FeedForward != FeedForwardKind.Plain) tensors.Add(new(blk + "ffn_gate" + suffix, TensorRole.FfnGate, layer, d, f, copies));
        tensors.Add(new(blk + "ffn_up" + suffix, TensorRole.FfnUp, layer, d, f, copies));
        tensors.Add(new(blk + "ffn_down" + suffix, TensorRole.FfnDown, layer, f, d, copies));
    }
}
