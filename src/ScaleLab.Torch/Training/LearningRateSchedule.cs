namespace ScaleLab.Torch.Training;

/// <summary>
/// The learning rate at each optimizer step, a pure function of (step, epoch), so a resumed run needs no schedule
/// state beyond its step count. A linear warm-up over the first W steps (lr·(s+1)/W) precedes any schedule.
/// step: lr·γ^⌊epoch/step_size⌋ (torch StepLR). cosine: min + ½(lr − min)(1 + cos(π·t/T)) after warm-up
/// (Loshchilov &amp; Hutter 2017, SGDR, one cycle). onecycle: Smith &amp; Topping 2018 as torch OneCycleLR defaults —
/// cosine from lr/25 up to lr over the first 30% of steps, then down to lr/(25·10⁴).
/// </summary>
public sealed class LearningRateSchedule
{
    private const double OneCycleWarmFraction = 0.3, OneCycleDivFactor = 25, OneCycleFinalDivFactor = 1e4;

    private readonly TrainingConfig _config;
    private readonly long _totalSteps;
    private readonly long _warmupSteps;

    public LearningRateSchedule(TrainingConfig config, long stepsPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _totalSteps = Math.Max(1, stepsPerEpoch * config.Epochs);
        _warmupSteps = config.WarmupSteps + (config.WarmupEpochs * stepsPerEpoch);
    }

    /// <summary>The lr for global step <paramref name="step"/> (0-based) in 0-based <paramref name="epoch"/>.</summary>
    public double At(long step, int epoch)
    {
        double lr = _config.Lr;
        if (_config.Schedule == ScheduleKind.OneCycle) return OneCycle(step);
        if (step < _warmupSteps) return lr * (step + 1) / _warmupSteps;
        return _config.Schedule switch
        {
            ScheduleKind.Step => lr * Math.Pow(_config.Gamma, epoch / _config.StepSize),
            ScheduleKind.Cosine => Cosine(step),
            _ => lr,
        };
    }

    private double Cosine(long step)
    {
        double span = Math.Max(1, _totalSteps - _warmupSteps);
        double t = Math.Min(1, (step - _warmupSteps) / span);
        return _config.MinLr + (0.5 * (_config.Lr - _config.MinLr) * (1 + Math.Cos(Math.PI * t)));
    }

    private double OneCycle(long step)
    {
        double max = _config.Lr, start = max / OneCycleDivFactor, end = start / OneCycleFinalDivFactor;
        double peakStep = (OneCycleWarmFraction * _totalSteps) - 1;
        if (step <= peakStep) return Anneal(start, max, step / Math.Max(1, peakStep));
        return Anneal(max, end, Math.Min(1, (step - peakStep) / Math.Max(1, _totalSteps - 1 - peakStep)));
    }

    private static double Anneal(double from, double to, double fraction) => to + ((from - to) / 2 * (1 + Math.Cos(Math.PI * fraction)));
}
