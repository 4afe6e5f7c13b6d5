using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// Sparse mixture of experts as in Mixtral (Jiang et al. 2024, arXiv:2401.04088): a router (D → E, no bias) scores
/// the experts per token, the top-k are kept and their scores softmaxed, and the token's output is the weighted
/// sum of those k experts' outputs. Experts are registered as experts.0 … experts.{E-1}. Current variants: a biased
/// router (gpt-oss), DeepSeek-V3's e_score_correction_bias buffer (added to the scores for choosing experts only, as
/// its auxiliary-loss-free balancing does), and shared experts that every token passes through (DeepSeek, Llama 4).
/// </summary>
public sealed class MixtureOfExperts : NamedModule
{
    private readonly nn.Module<Tensor, Tensor> _router;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _experts;
    private readonly nn.Module<Tensor, Tensor>? _shared;
    private readonly bool _scoreBias;
    private readonly int _topK;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "the router and the expert list are registered submodules: the module disposes them")]
    public MixtureOfExperts(
        long modelDim, IReadOnlyList<nn.Module<Tensor, Tensor>> experts, int topK,
        bool routerBias = false, bool scoreBias = false, nn.Module<Tensor, Tensor>? shared = null) : base(nameof(MixtureOfExperts))
    {
        ArgumentNullException.ThrowIfNull(experts);
        _experts = experts;
        _topK = topK;
        _router = nn.Linear(modelDim, experts.Count, hasBias: routerBias);   // (E, D)
        register_module("router", _router);
        var list = new ModuleList<nn.Module<Tensor, Tensor>>();
        foreach (var expert in experts) list.Add(expert);
        register_module("experts", list);
        _scoreBias = scoreBias;
        if (scoreBias) register_buffer("e_score_correction_bias", zeros(experts.Count));   // (E): moved by balancing, not by gradients

        if (shared is not null)
        {
            _shared = shared;
            register_module("shared_experts", shared);
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long width = input.shape[^1];
        var tokens = input.reshape(-1, width);                                   // (N, D)
        var logits = _router.call(tokens);                                       // (N, E)
        var (_, chosen) = (_scoreBias ? logits.add(get_buffer("e_score_correction_bias")!, Scalars.One) : logits).topk(_topK, dim: -1);   // (N, k)
        var weights = logits.gather(-1, chosen).softmax(-1);                     // (N, k)
        var output = zeros_like(tokens);                                         // (N, D)
        for (int e = 0; e < _experts.Count; e++)
        {
            using var expert = e.ToScalar();
            var picked = chosen.eq(expert);                                      // (N, k)
            var rows = picked.any(-1).nonzero().squeeze(-1);                     // (n_e)
            if (rows.shape[0] == 0) continue;
            var weight = (weights * picked).sum(-1).index_select(0, rows);       // (n_e)
            var expertOut = _experts[e].call(tokens.index_select(0, rows));      // (n_e, D)
            output = output.index_add(0, rows, expertOut * weight.unsqueeze(-1), Scalars.One);
        }

        if (_shared is not null) output = output.add(_shared.call(tokens), Scalars.One);
        return output.reshape(input.shape).MoveToOuterDisposeScope();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"MixtureOfExperts({_experts.Count} experts, top {_topK})");
}
