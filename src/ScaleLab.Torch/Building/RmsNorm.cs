using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// RMSNorm (Zhang &amp; Sennrich 2019, arXiv:1910.07467): y = x / sqrt(mean(x²) + eps) · weight, over the last dim.
/// One weight vector, no bias, no mean subtraction. TorchSharp 0.107 has no RMSNorm module, hence this one.
/// </summary>
public sealed class RmsNorm : NamedModule
{
    private readonly Parameter _weight;
    private readonly double _epsilon;

    public RmsNorm(long dim, double epsilon) : base(nameof(RmsNorm))
    {
        _epsilon = epsilon;
        _weight = nn.Parameter(ones(dim));   // (dim)
        register_parameter("weight", _weight);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        using Scalar two = 2.ToScalar(), epsilon = _epsilon.ToScalar();
        var meanSquare = input.pow(two).mean([-1L], keepdim: true);   // (..., 1)
        return (input * rsqrt(meanSquare.add(epsilon, Scalars.One)) * _weight).MoveToOuterDisposeScope();
    }
}
