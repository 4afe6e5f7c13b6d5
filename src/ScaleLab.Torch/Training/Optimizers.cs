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
        // Each Scalar is held in a using: TorchSharp does not keep a Scalar argument alive through its native call (Scalars).
        using var decay = _decay.ToScalar();
        using var mu = _mu.ToScalar();
        using var step = (-lr).ToScalar();
        var g = _decay > 0 ? grad.add(p, decay) : grad;
        if (_momentum[index] is { } buffer)
        {
            buffer.mul_(mu).add_(g, Scalars.One);
            g = _nesterov ? g.add(buffer, mu) : buffer;
        }

        p.add_(g, step);
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
        // Each Scalar is held in a using: TorchSharp does not keep a Scalar argument alive through its native call (Scalars).
        var g = grad;
        if (_decay > 0)
        {
            using var decay = _decay.ToScalar();
            using var shrink = (1 - (lr * _decay)).ToScalar();
            if (_decoupled) p.mul_(shrink);
            else g = grad.add(p, decay);
        }

        using var beta2 = _beta2.ToScalar();
        using var oneMinusBeta2 = (1 - _beta2).ToScalar();
        using var oneMinusBeta1 = tensor(1 - _beta1);
        _m[index].lerp_(g, oneMinusBeta1);   // β₁m + (1−β₁)g in one pass, as torch.optim.Adam writes it
        _v[index].mul_(beta2).addcmul_(g, g, oneMinusBeta2);
        double correction1 = 1 - Math.Pow(_beta1, Steps);
        double sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(_beta2, Steps));
        // m̂/(√v̂ + ε) = (√c₂/c₁)·m/(√v + ε√c₂): the bias corrections become two scalars, a pass over v fewer.
        using var epsilon = (_eps * sqrtCorrection2).ToScalar();
        using var step = (-lr * sqrtCorrection2 / correction1).ToScalar();
        var denominator = _v[index].sqrt().add_(epsilon, Scalars.One);   // one temporary, updated in place
        p.addcdiv_(_m[index], denominator, step);
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
        // Each Scalar is held in a using: TorchSharp does not keep a Scalar argument alive through its native call (Scalars).
        using var decay = _decay.ToScalar();
        using var alpha = _alpha.ToScalar();
        using var oneMinusAlpha = (1 - _alpha).ToScalar();
        using var epsilon = _eps.ToScalar();
        using var step = (-lr).ToScalar();
        var g = _decay > 0 ? grad.add(p, decay) : grad;
        _square[index].mul_(alpha).addcmul_(g, g, oneMinusAlpha);
        var denominator = _square[index].sqrt().add_(epsilon, Scalars.One);
        if (_momentum[index] is { } buffer)
        {
            using var mu = _mu.ToScalar();
            buffer.mul_(mu).addcdiv_(g, denominator, Scalars.One);
            p.add_(buffer, step);
        }
        else
        {
            p.addcdiv_(g, denominator, step);
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
