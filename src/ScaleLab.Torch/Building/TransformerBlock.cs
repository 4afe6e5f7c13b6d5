using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// One transformer block over (B, S, D). Pre-norm (GPT-2, Llama): x + attn(norm(x)), then x + ffn(norm(x)).
/// Post-norm (BERT, the original Transformer): norm(x + attn(x)), then norm(x + ffn(x)). Same parameters either way.
/// </summary>
public sealed class TransformerBlock : NamedModule
{
    private readonly nn.Module<Tensor, Tensor> _attentionNorm, _attention, _ffnNorm, _ffn;
    private readonly bool _postNorm;

    public TransformerBlock(TransformerSpec t) : base(nameof(TransformerBlock))
    {
        _postNorm = t.PostNorm;
        bool ffnBias = t.FfnBias ?? t.Bias == BiasKind.All;
        var shape = new AttentionShape(
            t.DModel, t.Heads, t.EffectiveKvHeads, t.EffectiveHeadDim,
            Causal: t.Kind == TransformerKind.Decoder,
            QkvBias: t.Bias != BiasKind.None,
            OutputBias: t.Bias == BiasKind.All,
            RopeTheta: t.Positions == PositionKind.Rotary ? t.RopeTheta : null);
        _attentionNorm = CreateNorm(t);
        _attention = new SelfAttention(shape);
        _ffnNorm = CreateNorm(t);
        _ffn = t.IsMixtureOfExperts
            ? new MixtureOfExperts(t.DModel, [.. Enumerable.Range(0, t.Experts).Select(_ => CreateFeedForward(t, ffnBias))], t.TopK)
            : CreateFeedForward(t, ffnBias);
        register_module("attn_norm", _attentionNorm);
        register_module("attn", _attention);
        register_module("ffn_norm", _ffnNorm);
        register_module("ffn", _ffn);
    }

    /// <summary>LayerNorm (weight, and bias when norm_bias) or RMSNorm (weight only) over D.</summary>
    public static nn.Module<Tensor, Tensor> CreateNorm(TransformerSpec t) => t.Norm == NormKind.RmsNorm
        ? new RmsNorm(t.DModel, t.NormEpsilon)
        : nn.LayerNorm(t.DModel, t.NormEpsilon, elementwise_affine: true, bias: t.NormBias);

    private static nn.Module<Tensor, Tensor> CreateFeedForward(TransformerSpec t, bool bias) =>
        new FeedForward(t.DModel, t.FfnSize, t.FeedForward, t.Activation, bias);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x;
        if (_postNorm)
        {
            x = _attentionNorm.call(input + _attention.call(input));
            x = _ffnNorm.call(x + _ffn.call(x));
        }
        else
        {
            x = input + _attention.call(_attentionNorm.call(input));
            x = x + _ffn.call(_ffnNorm.call(x));
        }

        return x.MoveToOuterDisposeScope();   // (B, S, D)
    }
}
