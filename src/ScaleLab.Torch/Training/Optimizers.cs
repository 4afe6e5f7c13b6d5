using ScaleLab.Core.Accounting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Training;

/// <summary>SGD: g ← ∇ + λw; b ← μb + g; w ← w − lr·(g + μb if Nesterov else b). (torch.optim.SGD, dampening 0.)</summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor?[] _momentum;
    private readonly double _mu, _decay;
    private readonly bool _nesterov;

    public Sgd(IReadOnlyList<(string, Parameter)> parameters, double momentum, bool nesterov, double weightDecay, bool flat = true) : base(parameters, flat)
    {
        (_mu, _nesterov, _decay) = (momentum, nesterov, weightDecay);
        _momentum = new Tensor?[Groups];
        if (momentum > 0) for (int i = 0; i < Groups; i++) _momentum[i] = AddSlot(i, "momentum_buffer");
    }

    protected override void Update(int index, Tensor p, Tensor grad, double lr)
    {
        var g = _decay > 0 ? grad.add(p, _decay) : grad;
        if (_momentum[index] is { } buffer)
        {
            buffer.mul_(_mu).add_(g);
            g = _nesterov ? g.add(buffer, _mu) : buffer;
        }

        p.add_(g, -lr);
    }
}

/// <summary>
/// Adam (Kingma &amp; Ba 2015): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − lr·m̂/(√v̂ + ε) with bias-corrected m̂, v̂.
/// Weight decay is L2 on the gradient for Adam and decoupled (w ← w(1 − lr·λ)) for AdamW (Loshchilov &amp; Hutter 2019).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly Tensor[] _m, _v;
    private readonly double _beta1, _beta2, _eps, _decay;
    private readonly bool _decoupled;

    public Adam(IReadOnlyList<(string, Parameter)> parameters, double beta1, double beta2, double eps, double weightDecay, bool decoupled, bool flat = true) : base(parameters, flat)
    {
        (_beta1, _beta2, _eps, _decay, _decoupled) = (beta1, beta2, eps, weightDecay, decoupled);
        _m = new Tensor[Groups];
        _v = new Tensor[Groups];
        for (int i = 0; i < Groups; i++)
        {
            _m[i] = AddSlot(i, "exp_avg");
            _v[i] = AddSlot(i, "exp_avg_sq");
        }
    }

    protected override void Update(int index, Tensor p, Tensor grad, double lr)
    {
        var g = grad;
        if (_decay > 0)
        {
            if (_decoupled) p.mul_(1 - (lr * _decay));
            else g = grad.add(p, _decay);
        }

        _m[index].lerp_(g, 1 - _beta1);   // β₁m + (1−β₁)g in one pass, as torch.optim.Adam writes it
        _v[index].mul_(_beta2).addcmul_(g, g, 1 - _beta2);
        double correction1 = 1 - Math.Pow(_beta1, Steps);
        double sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(_beta2, Steps));
        // m̂/(√v̂ + ε) = (√c₂/c₁)·m/(√v + ε√c₂): the bias corrections become two scalars, a pass over v fewer.
        var denominator = _v[index].sqrt().add_(_eps * sqrtCorrection2);   // one temporary, updated in place
        p.addcdiv_(_m[index], denominator, -lr * sqrtCorrection2 / correction1);
    }
}

/// <summary>
/// RMSprop (Hinton, Lecture 6e): v ← αv + (1−α)g²; b ← μb + g/(√v + ε); w ← w − lr·b (b = the step itself when μ = 0).
/// State as torch.optim.RMSprop keeps it: square_avg always, momentum_buffer only when μ &gt; 0.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly Tensor[] _square;
    private readonly Tensor?[] _momentum;
    private readonly double _alpha, _eps, _mu, _decay;

    public RmsProp(IReadOnlyList<(string, Parameter)> parameters, double alpha, double eps, double momentum, double weightDecay, bool flat = true) : base(parameters, flat)
    {
        (_alpha, _eps, _mu, _decay) = (alpha, eps, momentum, weightDecay);
        _square = new Tensor[Groups];
        _momentum = new Tensor?[Groups];
        for (int i = 0; i < Groups; i++)
        {
            _square[i] = AddSlot(i, "square_avg");
            if (momentum > 0) _momentum[i] = AddSlot(i, "momentum_buffer");
        }
    }

    protected override void Update(int index, Tensor p, Tensor grad, double lr)
    {
        var g = _decay > 0 ? grad.add(p, _decay) : grad;
        _square[index].mul_(_alpha).addcmul_(g, g, 1 - _alpha);
        var denominator = _square[index].sqrt().add_(_eps);
        if (_momentum[index] is { } buffer)
        {
            buffer.mul_(_mu).addcdiv_(g, denominator);
            p.add_(buffer, -lr);
        }
        else
        {
            p.addcdiv_(g, denominator, -lr);
        }
    }
}

/// <summary>Creates the optimizer a config names.</summary>
public static class OptimizerFactory
{
    public static Optimizer Create(TrainingConfig config, IReadOnlyList<(string, Parameter)> parameters) => config.Optimizer switch
    {
        OptimizerKind.Sgd or OptimizerKind.SgdMomentum => new Sgd(parameters, config.ResolvedMomentum, config.Nesterov, config.WeightDecay),
        OptimizerKind.Adam => new Adam(parameters, config.Betas[0], config.Betas[1], config.Eps, config.WeightDecay, decoupled: false),
        OptimizerKind.AdamW => new Adam(parameters, config.Betas[0], config.Betas[1], config.Eps, config.WeightDecay, decoupled: true),
        OptimizerKind.RmsProp or OptimizerKind.RmsPropMomentum => new RmsProp(parameters, config.Alpha, config.Eps, config.ResolvedMomentum, config.WeightDecay),
        _ => throw new TrainingConfigException(TrainingConfigValidator.EstimateOnly(config.Optimizer)),
    };
}
