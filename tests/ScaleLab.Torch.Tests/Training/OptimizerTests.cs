using ScaleLab.Torch.Training;
using TorchSharp;
using Adam = ScaleLab.Torch.Training.Adam;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Tests.Training;

/// <summary>Each of our optimizers against TorchSharp's own torch.optim implementation (the reference), five steps, tolerance 1e-6.</summary>
public sealed class OptimizerTests
{
    private static (Parameter Ours, Parameter Reference) Pair()
    {
        var generator = new Generator(11);
        var start = randn([4, 3], generator: generator);
        return (new Parameter(start.clone()), new Parameter(start.clone()));
    }

    private static void Compare(Func<List<(string, Parameter)>, ScaleLab.Torch.Training.Optimizer> ours, Func<Parameter, TorchSharp.Modules.OptimizerHelper> reference, double lr)
    {
        var (a, b) = Pair();
        using var mine = ours([("w", a)]);
        var theirs = reference(b);
        var target = linspace(-1, 1, 12).reshape(4, 3);
        using var three = 3.ToScalar();
        for (int step = 0; step < 5; step++)
        {
            mine.ZeroGrad();
            ((a - target).pow(three).sum()).backward();
            mine.Step(lr);
            theirs.zero_grad();
            ((b - target).pow(three).sum()).backward();
            theirs.step();
        }

        Assert.True(a.allclose(b, rtol: 1e-6, atol: 1e-6), $"ours {a.ToString(TorchSharp.TensorStringStyle.Julia)} vs torch {b.ToString(TorchSharp.TensorStringStyle.Julia)}");
    }

    [Fact]
    public void Sgd_NesterovMomentumWithWeightDecay_MatchesTorchOptim() =>
        Compare(p => new Sgd(p, momentum: 0.9, nesterov: true, weightDecay: 0.01), p => torch.optim.SGD([p], 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01), 0.05);

    [Fact]
    public void Adam_WithL2_MatchesTorchOptim() =>
        Compare(p => new Adam(p, 0.9, 0.999, 1e-8, 0.01, decoupled: false), p => torch.optim.Adam([p], 0.01, weight_decay: 0.01), 0.01);

    [Fact]
    public void AdamW_DecoupledDecay_MatchesTorchOptim() =>
        Compare(p => new Adam(p, 0.9, 0.95, 1e-8, 0.1, decoupled: true), p => torch.optim.AdamW([p], 0.01, beta1: 0.9, beta2: 0.95, weight_decay: 0.1), 0.01);

    [Fact]
    public void RmsProp_WithMomentum_MatchesTorchOptim() =>
        Compare(p => new RmsProp(p, 0.99, 1e-8, 0.5, 0.0), p => torch.optim.RMSProp([p], 0.001, alpha: 0.99, eps: 1e-8, momentum: 0.5), 0.001);

    [Fact]
    public void State_NamesEachSlotAfterItsParameter()
    {
        var (a, _) = Pair();
        using var adam = new Adam([("layers.1.weight", a)], 0.9, 0.999, 1e-8, 0, decoupled: false);
        Assert.Equal(["layers.1.weight.exp_avg", "layers.1.weight.exp_avg_sq"], adam.State.Select(s => s.Name));
    }
}
