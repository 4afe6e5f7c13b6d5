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
        long d = m.DModel, hd = m.EffectiveHeadDim, q = m.Heads * hd, kv = m.EffectiveKvHeads * hd, f = m.FfnSize;
        int experts = m.IsMixtureOfExperts ? m.Experts : 1;
        string exps = m.IsMixtureOfExperts ? "_exps" : "";
        var tensors = new List<WeightTensor> { new("token_embd", TensorRole.TokenEmbedding, -1, d, m.VocabSize) };
        if (m.Positions == PositionKind.Learned) tensors.Add(new("position_embd", TensorRole.Unquantized, -1, d, m.MaxPositions));
        if (m.TypeVocabSize > 0) tensors.Add(new("token_types", TensorRole.Unquantized, -1, d, m.TypeVocabSize));
        if (m.LmHead && !m.TiedEmbeddings) tensors.Add(new("output", TensorRole.Output, -1, d, m.VocabSize));
        for (int layer = 0; layer < m.Layers; layer++)
        {
            string blk = $"blk.{layer}.";
            tensors.Add(new(blk + "attn_q", TensorRole.AttentionQ, layer, d, q));
            tensors.Add(new(blk + "attn_k", TensorRole.AttentionK, layer, d, kv));
            tensors.Add(new(blk + "attn_v", TensorRole.AttentionV, layer, d, kv));
            tensors.Add(new(blk + "attn_output", TensorRole.AttentionOutput, layer, q, d));
            if (m.FeedForward != FeedForwardKind.Plain) tensors.Add(new(blk + "ffn_gate" + exps, TensorRole.FfnGate, layer, d, f, experts));
            tensors.Add(new(blk + "ffn_up" + exps, TensorRole.FfnUp, layer, d, f, experts));
            tensors.Add(new(blk + "ffn_down" + exps, TensorRole.FfnDown, layer, f, d, experts));
            if (m.IsMixtureOfExperts) tensors.Add(new(blk + "ffn_gate_inp", TensorRole.Router, layer, d, m.Experts));
        }
        return tensors;
    }
}
