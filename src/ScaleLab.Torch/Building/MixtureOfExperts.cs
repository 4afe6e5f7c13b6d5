using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// Sparse mixture of experts as in Mixtral (Jiang et al. 2024, arXiv:2401.04088): a router (D → E, no bias) scores
/// the experts per token, the top-k are kept and their scores softmaxed, and the token's output is the weighted
/// sum of those k experts' outputs. Experts are registered as experts.0 … experts.{E-1}.
/// </summary>
public sealed class MixtureOfExperts : NamedModule
{
    private readonly nn.Module<Tensor, Tensor> _router;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _experts;
    private readonly int _topK;

    public MixtureOfExperts(long modelDim, IReadOnlyList<nn.Module<Tensor, Tensor>> experts, int topK) : base(nameof(MixtureOfExperts))
    {
        _experts = experts;
        _topK = topK;
        _router = nn.Linear(modelDim, experts.Count, hasBias: false);
        register_module("router", _router);
        var list = new ModuleList<nn.Module<Tensor, Tensor>>();
        foreach (var expert in experts) list.Add(expert);
        register_module("experts", list);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long width = input.shape[^1];
        var tokens = input.reshape(-1, width);                                   // (N, D)
        var (scores, chosen) = _router.call(tokens).topk(_topK, dim: -1);        // (N, k), (N, k)
        var weights = scores.softmax(-1);                                        // (N, k)
        var output = zeros_like(tokens);                                         // (N, D)
        for (int e = 0; e < _experts.Count; e++)
        {
            var picked = chosen.eq(e);                                           // (N, k)
            var rows = picked.any(-1).nonzero().squeeze(-1);                     // (n_e)
            if (rows.shape[0] == 0) continue;
            var weight = (weights * picked).sum(-1).index_select(0, rows);       // (n_e)
            var expertOut = _experts[e].call(tokens.index_select(0, rows));      // (n_e, D)
            output = output.index_add(0, rows, expertOut * weight.unsqueeze(-1), 1.0);
        }

        return output.reshape(input.shape).MoveToOuterDisposeScope();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"MixtureOfExperts({_experts.Count} experts, top {_topK})");
}
