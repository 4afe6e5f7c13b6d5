using ScaleLab.Core.FineTuning;

namespace ScaleLab.Core.Accounting.Autograd;

/// <summary>
/// One training step's predicted time on a calibrated machine (`scalelab estimate --time`): the estimate `verify` sets
/// beside its measurement, for ScaleLab's own fp32 TorchSharp step (<see cref="StepMemory"/>'s tape, priced by
/// <see cref="StepTimeEstimator"/>), with where the machine profile came from.
/// </summary>
public sealed record StepTimePrediction(string Profile, string Device, int Threads, string Machine, StepTimeEstimate Estimate)
{
    /// <summary>
    /// The prediction for <paramref name="report"/>'s model, batch and optimizer; a <see cref="ScaleLabException"/>
    /// naming the option when the step is not one the profile describes (16-bit or mixed precision, LoRA adapters) or the
    /// tape has no rule for the model's layout.
    /// </summary>
    public static StepTimePrediction For(EstimateReport report, MachineProfile profile, string source)
    {
        ArgumentNullException.ThrowIfNull(profile);
        Check(report);
        var tape = StepMemory.Tape(report.Cost);
        var estimate = StepTimeEstimator.Estimate(tape, report.Batch, report.Cost.Parameters, report.Options.Optimizer, profile);
        return new StepTimePrediction(source, profile.Device, profile.Threads, profile.Machine, estimate);
    }

    /// <summary>Throws when <see cref="For"/> would refuse <paramref name="report"/> (checked before a profile is measured).</summary>
    public static void Check(EstimateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Options;
        if (o.Precision != Precision.Fp32 || o.MixedPrecision)
            throw new ScaleLabException($"--time: predicts fp32 training steps (ScaleLab's TorchSharp step, as the machine profile measures it); drop --precision {o.Precision.Name()}{(o.MixedPrecision ? " and --mixed-precision" : "")}");
        if (o.FineTune is { } ft && ft.Method.UsesAdapters())
            throw new ScaleLabException($"--time: predicts full training steps; its tape has no LoRA adapters (drop --finetune {ft.Method.Name()})");
        if (!StepMemory.Supports(report.Spec))
            throw new ScaleLabException($"--time: {report.Spec.Name}: no autograd rule yet for its attention or block layout (latent attention, sinks, local windows, q/k norms, non-pre norms); see docs/verify.md");
    }
}
