using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// Multi-head latent attention (DeepSeek-V2, arXiv:2405.04434 §2.1) as transformers' DeepseekV3Attention holds it:
/// q_proj (H·qk × E), or q_a_proj (r_q × E), q_a_layernorm (r_q), q_b_proj (H·qk × r_q); kv_a_proj_with_mqa
/// ((r_kv + rope) × E): the latent c_KV and one rotary key shared by all heads; kv_a_layernorm (r_kv);
/// kv_b_proj (H·(nope + v) × r_kv): per-head keys and values from the latent; o_proj (E × H·v). Biases on q_a, kv_a
/// and o when the model has attention biases. Written in the training form (kv_b_proj applied to every token).
/// </summary>
public sealed class LatentSelfAttention : NamedModule
{
    private readonly LatentAttention _m;
    private readonly int _heads;
    private readonly double _theta;
    private readonly nn.Module<Tensor, Tensor>? _q, _qA, _qNorm, _qB;
    private readonly nn.Module<Tensor, Tensor> _kvA, _kvNorm, _kvB, _o;

    public LatentSelfAttention(TransformerSpec t) : base(nameof(LatentSelfAttention))
    {
        ArgumentNullException.ThrowIfNull(t);
        _m = t.Latent ?? throw new ArgumentException("not a latent-attention spec", nameof(t));
        _heads = t.Heads;
        _theta = t.RopeTheta;
        bool bias = t.Bias == BiasKind.All;
        long qWidth = t.Heads * _m.QkHeadDim;
        if (_m.QueryRank is { } rq)
        {
            _qA = nn.Linear(t.DModel, rq, hasBias: bias);                                  // (r_q, E)
            _qNorm = new RmsNorm(rq, t.NormEpsilon);                                       // (r_q)
            _qB = nn.Linear(rq, qWidth, hasBias: false);                                   // (H·qk, r_q)
            register_module("q_a_proj", _qA);
            register_module("q_a_layernorm", _qNorm);
            register_module("q_b_proj", _qB);
        }
        else
        {
            _q = nn.Linear(t.DModel, qWidth, hasBias: false);                              // (H·qk, E)
            register_module("q_proj", _q);
        }

        _kvA = nn.Linear(t.DModel, _m.KvRank + _m.RopeHeadDim, hasBias: bias);             // (r_kv + rope, E)
        _kvNorm = new RmsNorm(_m.KvRank, t.NormEpsilon);                                   // (r_kv)
        _kvB = nn.Linear(_m.KvRank, t.Heads * (_m.NopeHeadDim + _m.ValueHeadDim), hasBias: false);   // (H·(nope+v), r_kv)
        _o = nn.Linear(t.Heads * _m.ValueHeadDim, t.DModel, hasBias: bias);                // (E, H·v)
        register_module("kv_a_proj_with_mqa", _kvA);
        register_module("kv_a_layernorm", _kvNorm);
        register_module("kv_b_proj", _kvB);
        register_module("o_proj", _o);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], seq = input.shape[1];
        var (nope, rope, v) = (_m.NopeHeadDim, _m.RopeHeadDim, _m.ValueHeadDim);
        var query = _q is not null ? _q.call(input) : _qB!.call(_qNorm!.call(_qA!.call(input)));   // (B, S, H·qk)
        query = query.view(batch, seq, _heads, nope + rope).transpose(1, 2);                      // (B, H, S, qk)
        var qPass = query.narrow(-1, 0, nope);
        var qRot = RotaryEmbedding.Apply(query.narrow(-1, nope, rope), _theta);

        var compressed = _kvA.call(input);                                                         // (B, S, r_kv + rope)
        var latent = compressed.narrow(-1, 0, _m.KvRank);                                          // (B, S, r_kv): what a cache keeps
        var kRot = RotaryEmbedding.Apply(compressed.narrow(-1, _m.KvRank, rope).unsqueeze(1), _theta);   // (B, 1, S, rope)
        var kv = _kvB.call(_kvNorm.call(latent)).view(batch, seq, _heads, nope + v).transpose(1, 2);     // (B, H, S, nope+v)
        var keys = cat([kv.narrow(-1, 0, nope), kRot.expand(-1, _heads, -1, -1)], -1);            // (B, H, S, qk)
        var values = kv.narrow(-1, nope, v);                                                       // (B, H, S, v)
        var queries = cat([qPass, qRot], -1);                                                      // (B, H, S, qk)
        var attended = MaskedAttention.Apply(queries, keys, values, causal: true, local: null, sinks: null);   // (B, H, S, v)
        var merged = attended.transpose(1, 2).reshape(batch, seq, _heads * v);                     // (B, S, H·v)
        return _o.call(merged).MoveToOuterDisposeScope();                                          // (B, S, E)
    }
}
