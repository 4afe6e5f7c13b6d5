using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>y = body(x) + shortcut(x), the shortcut being the identity or the projection layers (He et al. 2016).</summary>
public sealed class ResidualBlock : NamedModule
{
    private readonly nn.Module<Tensor, Tensor> _body;
    private readonly nn.Module<Tensor, Tensor>? _projection;

    public ResidualBlock(nn.Module<Tensor, Tensor> body, nn.Module<Tensor, Tensor>? projection) : base(nameof(ResidualBlock))
    {
        _body = body;
        _projection = projection;
        register_module("body", body);
        if (projection is not null) register_module("projection", projection);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var shortcut = _projection is null ? input : _projection.call(input);
        return _body.call(input).add(shortcut, Scalars.One).MoveToOuterDisposeScope();
    }
}
