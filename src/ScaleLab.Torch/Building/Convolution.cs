using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// conv1d / conv2d with any padding the spec allows, including Keras-style "same" with stride &gt; 1, whose
/// padding can be uneven (TensorFlow puts the extra pixel after: left = total / 2, right = total - left).
/// PyTorch's own padding="same" accepts stride 1 only, so uneven padding is applied here (F.pad) before a padding-free
/// conv; even padding is the conv's own.
/// Parameters: weight (F, C/groups, k...) and bias (F), named as in torch.nn.ConvNd.
/// </summary>
public sealed class Convolution : NamedModule
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
    private readonly long[] _stride;
    private readonly long[] _dilation;
    private readonly long[] _padBeforeAfter;   // F.pad order: last dim first, (before, after) pairs
    private readonly long _groups;
    private readonly long[]? _symmetricPadding;   // per spatial dim, when before == after everywhere

    public Convolution(long inChannels, long filters, long[] kernel, long[] stride, long[] dilation, long groups, bool bias, long[] padBefore, long[] padAfter)
        : base(nameof(Convolution))
    {
        int rank = kernel.Length;
        _stride = stride;
        _dilation = dilation;
        _groups = groups;
        _padBeforeAfter = new long[2 * rank];
        for (int d = 0; d < rank; d++)
        {
            _padBeforeAfter[2 * d] = padBefore[rank - 1 - d];
            _padBeforeAfter[2 * d + 1] = padAfter[rank - 1 - d];
        }

        if (Enumerable.Range(0, rank).All(d => padBefore[d] == padAfter[d])) _symmetricPadding = [.. padBefore];

        long fanIn = inChannels / groups * kernel.Aggregate(1L, (a, k) => a * k);
        // torch.nn.ConvNd.reset_parameters: kaiming_uniform(a=√5) on the weight is U(±1/√fan_in); the bias the same.
        double bound = 1.0 / Math.Sqrt(fanIn);
        _weight = nn.Parameter(empty([filters, inChannels / groups, .. kernel]).uniform_(-bound, bound));   // (F, C/g, k...)
        register_parameter("weight", _weight);
        if (bias)
        {
            _bias = nn.Parameter(empty(filters).uniform_(-bound, bound));   // (F)
            register_parameter("bias", _bias);
        }
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        // Even padding goes to the conv itself; an explicit F.pad would make a padded copy of the input that the
        // conv then saves for backward (a second input-sized tensor per layer) and spend a pass copying it.
        var (x, padding) = _symmetricPadding is { } even ? (input, even) : (nn.functional.pad(input, _padBeforeAfter), new long[_stride.Length]);
        var y = _stride.Length == 1
            ? nn.functional.conv1d(x, _weight, _bias, _stride[0], padding[0], _dilation[0], _groups)   // (B, F, L')
            : nn.functional.conv2d(x, _weight, _bias, _stride, padding, _dilation, _groups);           // (B, F, H', W')
        return y.MoveToOuterDisposeScope();
    }
}
