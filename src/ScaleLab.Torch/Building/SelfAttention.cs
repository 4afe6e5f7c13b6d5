using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>What one self-attention module looks like; the stack "attention" layer and transformer blocks both use it.</summary>
/// <param name="QkNorm">RMSNorm on queries and keys: per head (Qwen3, Gemma 3) or over the whole projection (OLMo 2).</param>
/// <param name="Sinks">gpt-oss's learned per-head logit that joins every softmax and is then dropped.</param>
/// <param name="Local">A sliding window or chunk bounding what each query sees; null for the whole (causal) context.</param>
public sealed record AttentionShape(
    long ModelDim,
    int Heads,
    int KvHeads,
    long HeadDim,
    bool Causal,
    bool QkvBias,
    bool OutputBias,
    double? RopeTheta,
    QkNormKind QkNorm = QkNormKind.None,
    double NormEpsilon = 1e-6,
    bool Sinks = false,
    LocalAttention? Local = null);

/// <summary>
/// Multi-head self-attention over (B, S, E) built on scaled_dot_product_attention, with grouped-query attention
/// (Ainslie et al. 2023: KvHeads &lt; Heads, each K/V head shared by Heads/KvHeads query heads) and optional rotary
/// positions on Q and K. Parameters: q_proj (H·hd × E), k_proj and v_proj (KV·hd × E), o_proj (E × H·hd), and the
/// extras of current models: q_norm/k_norm, sinks (H). Sinks and local windows need their own softmax (<see cref="MaskedAttention"/>).
/// </summary>
public sealed class SelfAttention : NamedModule
{
    private readonly AttentionShape _shape;
    private readonly nn.Module<Tensor, Tensor> _q, _k, _v, _o;
    private readonly nn.Module<Tensor, Tensor>? _qNorm, _kNorm;
    private readonly TorchSharp.Modules.Parameter? _sinks;

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
        if (shape.QkNorm != QkNormKind.None)
        {
            bool perHead = shape.QkNorm == QkNormKind.PerHead;
            _qNorm = new RmsNorm(perHead ? shape.HeadDim : queryWidth, shape.NormEpsilon);   // (hd) or (H·hd)
            _kNorm = new RmsNorm(perHead ? shape.HeadDim : kvWidth, shape.NormEpsilon);      // (hd) or (KV·hd)
            register_module("q_norm", _qNorm);
            register_module("k_norm", _kNorm);
        }

        if (shape.Sinks)
        {
            _sinks = nn.Parameter(zeros(shape.Heads));   // (H)
            register_parameter("sinks", _sinks);
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], seq = input.shape[1];
        var (h, kvh, hd) = (_shape.Heads, _shape.KvHeads, _shape.HeadDim);
        var q = _q.call(input);                                             // (B, S, H·hd)
        var k = _k.call(input);                                             // (B, S, KV·hd)
        if (_shape.QkNorm == QkNormKind.Full)
        {
            q = _qNorm!.call(q);
            k = _kNorm!.call(k);
        }

        q = q.view(batch, seq, h, hd);
        k = k.view(batch, seq, kvh, hd);
        if (_shape.QkNorm == QkNormKind.PerHead)
        {
            q = _qNorm!.call(q);                                            // over hd, every head
            k = _kNorm!.call(k);
        }

        q = q.transpose(1, 2);                                              // (B, H, S, hd)
        k = k.transpose(1, 2);                                              // (B, KV, S, hd)
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

        var attended = _sinks is null && _shape.Local is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, is_casual: _shape.Causal)   // (B, H, S, hd)
            : MaskedAttention.Apply(q, k, v, _shape.Causal, _shape.Local, _sinks);
        var merged = attended.transpose(1, 2).reshape(batch, seq, h * hd);                   // (B, S, H·hd)
        return _o.call(merged).MoveToOuterDisposeScope();                                     // (B, S, E)
    }
}

/// <summary>
/// Attention written out, for what scaled_dot_product_attention cannot express: a sliding window (a query sees the
/// last W positions), chunks (a query sees its own chunk of W), and attention sinks (gpt-oss: a learned logit per head
/// appended to every row of scores before the softmax, its probability then dropped, so a head can attend to nothing).
/// </summary>
public static class MaskedAttention
{
    /// <summary>q, k (B, H, S, qk), v (B, H, S, v) → (B, H, S, v).</summary>
    public static Tensor Apply(Tensor q, Tensor k, Tensor v, bool causal, LocalAttention? local, Tensor? sinks)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(v);
        using var scope = NewDisposeScope();
        long seq = q.shape[2];
        using Scalar scale = Math.Sqrt(q.shape[^1]).ToScalar(), length = seq.ToScalar(), window = (local?.Window ?? 1).ToScalar(),
            masked = double.NegativeInfinity.ToScalar();
        var scores = q.matmul(k.transpose(-2, -1)).div(scale);                              // (B, H, S, S)
        var query = arange(Scalars.Zero, length, Scalars.One, device: q.device).unsqueeze(1);   // (S, 1)
        var key = arange(Scalars.Zero, length, Scalars.One, device: q.device).unsqueeze(0);     // (1, S)
        var allowed = causal ? key.le(query) : ones(seq, seq, dtype: ScalarType.Bool, device: q.device);
        if (local is { Kind: LocalAttentionKind.Sliding })
            allowed = allowed.logical_and((query - key).lt(window));
        else if (local is { Kind: LocalAttentionKind.Chunked })
            allowed = allowed.logical_and(query.div(window, rounding_mode: RoundingMode.floor).eq(key.div(window, rounding_mode: RoundingMode.floor)));
        scores = scores.masked_fill(allowed.logical_not(), masked);
        Tensor probabilities;
        if (sinks is null)
        {
            probabilities = scores.softmax(-1);
        }
        else
        {
            var sink = sinks.view(1, -1, 1, 1).expand(scores.shape[0], -1, seq, 1);         // (B, H, S, 1)
            probabilities = cat([scores, sink], -1).softmax(-1).narrow(-1, 0, seq);         // drop the sink's share
        }

        return probabilities.matmul(v).MoveToOuterDisposeScope();
    }
}
