using ScaleLab.Core.Spec;
using TorchSharp;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Building;

/// <summary>
/// The transformer MLP. Plain: down(act(up(x))). Gated (Shazeer 2020, "GLU Variants Improve Transformer"):
/// down(act(gate(x)) · up(x)) with SiLU for SwiGLU and GELU for GeGLU. Names follow HF Llama: gate_proj, up_proj, down_proj.
/// </summary>
public sealed class FeedForward : NamedModule
{
    private readonly nn.Module<Tensor, Tensor>? _gate;
    private readonly nn.Module<Tensor, Tensor> _up, _down, _activation;

    public FeedForward(long modelDim, long ffnSize, FeedForwardKind kind, ActivationKind activation, bool bias) : base(nameof(FeedForward))
    {
        _activation = kind switch
        {
            FeedForwardKind.SwiGlu => nn.SiLU(),
            FeedForwardKind.GeGlu => nn.GELU(),
            _ => activation switch
            {
                ActivationKind.Relu => nn.ReLU(),
                ActivationKind.Silu => nn.SiLU(),
                ActivationKind.Tanh => nn.Tanh(),
                _ => nn.GELU(),
            },
        };
        if (kind != FeedForwardKind.Plain)
        {
            _gate = nn.Linear(modelDim, ffnSize, hasBias: bias);
            register_module("gate_proj", _gate);
        }

        _up = nn.Linear(modelDim, ffnSize, hasBias: bias);
        _down = nn.Linear(ffnSize, modelDim, hasBias: bias);
        register_module("up_proj", _up);
        register_module("down_proj", _down);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var hidden = _gate is null
            ? _activation.call(_up.call(input))                           // (…, F)
            : _activation.call(_gate.call(input)) * _up.call(input);      // (…, F)
        return _down.call(hidden).MoveToOuterDisposeScope();              // (…, D)
    }
}
