using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>What one self-attention module looks like; the stack "attention" layer and transformer blocks both use it.</summary>
public sealed record AttentionShape(
    long ModelDim,
    int Heads,
    int KvHeads,
    long HeadDim,
    bool Causal,
    bool QkvBias,
    bool OutputBias,
    double? RopeTheta);

/// <summary>
/// Multi-head self-attention over (B, S, E) built on scaled_dot_product_attention, with grouped-query attention
/// (Ainslie et al. 2023: KvHeads &lt; Heads, each K/V head shared by Heads/KvHeads query heads) and optional rotary
/// positions on Q and K. Parameters: q_proj (H·hd × E), k_proj and v_proj (KV·hd × E), o_proj (E × H·hd).
/// </summary>
public sealed class SelfAttention : NamedModule
{
    private readonly AttentionShape _shape;
    private readonly nn.Module<Tensor, Tensor> _q, _k, _v, _o;

    public SelfAttention(AttentionShape shape) : base(nameof(SelfAttention))
    {
        _shape = shape;
        long queryWidth = shape.Heads * shape.HeadDim;
        long kvWidth = shape.KvHeads * shape.HeadDim;
        _q = nn.Linear(shape.ModelDim, queryWidth, hasBias: shape.QkvBias);
        _k = nn.Linear(shape.ModelDim, kvWidth, hasBias: shape.QkvBias);
        _v = nn.Linear(shape.ModelDim, kvWidth, hasBias: shape.QkvBias);
        _o = nn.Linear(queryWidth, shape.ModelDim, hasBias: shape.OutputBias);
        register_module("q_proj", _q);
        register_module("k_proj", _k);
        register_module("v_proj", _v);
        register_module("o_proj", _o);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], seq = input.shape[1];
        var (h, kvh, hd) = (_shape.Heads, _shape.KvHeads, _shape.HeadDim);
        var q = _q.call(input).view(batch, seq, h, hd).transpose(1, 2);     // (B, H, S, hd)
        var k = _k.call(input).view(batch, seq, kvh, hd).transpose(1, 2);   // (B, KV, S, hd)
        var v = _v.call(input).view(batch, seq, kvh, hd).transpose(1, 2);   // (B, KV, S, hd)
        if (_shape.RopeTheta is double theta)
        {
            q = RotaryEmbedding.Apply(q, theta);
            k = RotaryEmbedding.Apply(k, theta);
        }

        if (kvh != h)
        {
            // GQA: repeat each K/V head for the H/KV query heads that share it.
            k = k.repeat_interleave(h / kvh, dim: 1);   // (B, H, S, hd)
            v = v.repeat_interleave(h / kvh, dim: 1);   // (B, H, S, hd)
        }

        var attended = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: _shape.Causal);   // (B, H, S, hd)
        var merged = attended.transpose(1, 2).reshape(batch, seq, h * hd);                               // (B, S, H·hd)
        return _o.call(merged).MoveToOuterDisposeScope();                                                 // (B, S, E)
    }
}
