using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// One transformer block over (B, S, D), block <c>layer</c> of its model (layers differ in current models: dense or
/// routed FFN, local or global attention). Norm placements: pre (GPT-2, Llama) x + f(norm(x)); post (BERT)
/// norm(x + f(x)); sandwich (Gemma 2/3) x + post_norm(f(pre_norm(x))); post-sublayer (OLMo 2) x + norm(f(x)).
/// </summary>
public sealed class TransformerBlock : NamedModule
{
    private readonly nn.Module<Tensor, Tensor> _attention, _ffn;
    private readonly nn.Module<Tensor, Tensor>? _attentionNorm, _ffnNorm, _attentionPostNorm, _ffnPostNorm;
    private readonly NormPlacement _placement;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "the attention, feed-forward and norms are registered submodules: the block disposes them")]
    public TransformerBlock(TransformerSpec t, int layer) : base(nameof(TransformerBlock))
    {
        ArgumentNullException.ThrowIfNull(t);
        _placement = t.Placement;
        bool ffnBias = t.FfnBias ?? t.Bias == BiasKind.All;
        _attention = t.Latent is null ? new SelfAttention(Shape(t, layer)) : new LatentSelfAttention(t);
        _ffn = t.IsMoeLayer(layer)
            ? new MixtureOfExperts(t.DModel, [.. Enumerable.Range(0, t.Experts).Select(_ => CreateFeedForward(t, t.EffectiveExpertFfnSize, ffnBias))], t.TopK,
                t.RouterBias, t.RouterScoreBias, t.SharedExperts > 0 ? CreateFeedForward(t, t.SharedExperts * t.EffectiveExpertFfnSize, ffnBias) : null)
            : CreateFeedForward(t, t.FfnSize, ffnBias);
        _attentionNorm = CreateNorm(t);
        _ffnNorm = CreateNorm(t);
        register_module("attn_norm", _attentionNorm);
        register_module("attn", _attention);
        if (_placement == NormPlacement.Sandwich)
        {
            _attentionPostNorm = CreateNorm(t);
            register_module("attn_post_norm", _attentionPostNorm);
        }

        register_module("ffn_norm", _ffnNorm);
        register_module("ffn", _ffn);
        if (_placement == NormPlacement.Sandwich)
        {
            _ffnPostNorm = CreateNorm(t);
            register_module("ffn_post_norm", _ffnPostNorm);
        }
    }

    private static AttentionShape Shape(TransformerSpec t, int layer) => new(
        t.DModel, t.Heads, t.EffectiveKvHeads, t.EffectiveHeadDim,
        Causal: t.Kind == TransformerKind.Decoder,
        QkvBias: t.Bias != BiasKind.None,
        OutputBias: t.Bias == BiasKind.All,
        RopeTheta: t.Positions == PositionKind.Rotary ? t.RopeTheta : null,
        QkNorm: t.QkNorm,
        NormEpsilon: t.NormEpsilon,
        Sinks: t.AttentionSinks,
        Local: t.IsLocalLayer(layer) ? t.Local : null);

    /// <summary>LayerNorm (weight, and bias when norm_bias) or RMSNorm (weight only) over D.</summary>
    public static nn.Module<Tensor, Tensor> CreateNorm(TransformerSpec t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.Norm == NormKind.RmsNorm
            ? new RmsNorm(t.DModel, t.NormEpsilon)
            : nn.LayerNorm(t.DModel, t.NormEpsilon, elementwise_affine: true, bias: t.NormBias);
    }

    private static nn.Module<Tensor, Tensor> CreateFeedForward(TransformerSpec t, long width, bool bias) =>
        new FeedForward(t.DModel, width, t.FeedForward, t.Activation, bias);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _placement switch
        {
            NormPlacement.Post => Post(input),
            NormPlacement.Sandwich => Sandwich(input),
            NormPlacement.PostSublayer => PostSublayer(input),
            _ => Pre(input),
        };
        return x.MoveToOuterDisposeScope();   // (B, S, D)
    }

    private Tensor Pre(Tensor input)
    {
        var x = input.add(_attention.call(_attentionNorm!.call(input)), Scalars.One);
        return x.add(_ffn.call(_ffnNorm!.call(x)), Scalars.One);
    }

    private Tensor Post(Tensor input)
    {
        var x = _attentionNorm!.call(input.add(_attention.call(input), Scalars.One));
        return _ffnNorm!.call(x.add(_ffn.call(x), Scalars.One));
    }

    private Tensor Sandwich(Tensor input)
    {
        var x = input.add(_attentionPostNorm!.call(_attention.call(_attentionNorm!.call(input))), Scalars.One);
        return x.add(_ffnPostNorm!.call(_ffn.call(_ffnNorm!.call(x))), Scalars.One);
    }

    private Tensor PostSublayer(Tensor input)
    {
        var x = input.add(_attentionNorm!.call(_attention.call(input)), Scalars.One);
        return x.add(_ffnNorm!.call(_ffn.call(x)), Scalars.One);
    }
}
