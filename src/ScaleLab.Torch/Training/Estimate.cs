using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;

namespace ScaleLab.Torch.Training;

/// <summary>The estimator's figures for a spec, set beside the measured ones in summary.json.</summary>
internal sealed record Estimate(long Parameters, long ForwardFlopsPerSample)
{
    public static Estimate Of(ModelSpec spec)
    {
        var cost = ModelAccounting.Account(spec);
        return new Estimate(cost.Parameters, cost.ForwardFlops);
    }
}
