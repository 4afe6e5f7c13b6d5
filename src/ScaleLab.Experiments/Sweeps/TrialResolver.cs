using System.Globalization;
using ScaleLab.Core;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// Applies one trial's axis settings to the sweep's base model and training config, checks the result the way
/// `scalelab train` would (shape inference, config validation) and counts it with the estimator. Any failure becomes a
/// <see cref="SweepException"/> naming the sweep file, the trial and the reason.
/// </summary>
internal static class TrialResolver
{
    public static TrialPlan Resolve(SweepSpec sweep, int index, IReadOnlyList<AxisSetting> settings)
    {
        string label = settings.Count == 0 ? "base" : string.Join(" ", settings);
        try
        {
            var spec = ApplyModel(sweep, settings);
            var config = ApplyTraining(sweep, spec, settings);
            if (spec.Transformer is null) ShapeInference.Outputs(spec);
            TrainingConfigValidator.Validate(config, "training");
            long? sequence = ModelAccounting.IsSequenceModel(spec) ? config.Data.SequenceLength : null;
            var cost = ModelAccounting.Account(spec, sequence);
            return new TrialPlan(TrialPlan.IdOf(spec, config), index, settings, spec, config, cost.Parameters, cost.ForwardFlops);
        }
        catch (Exception ex) when (ex is TrialRejectedException or ScaleLabException or OverflowException)
        {
            throw new SweepException($"{sweep.Source}: trial {index.ToString(CultureInfo.InvariantCulture)} ({label}): {ex.Message}", ex);
        }
    }

    private static ModelSpec ApplyModel(SweepSpec sweep, IReadOnlyList<AxisSetting> settings)
    {
        var spec = sweep.Model;
        var by = settings.ToDictionary(s => s.Axis);
        if (by.ContainsKey(SweepAxis.Width) && by.ContainsKey(SweepAxis.LayerSizes))
            throw new TrialRejectedException("sets both width and layer_sizes; use one of them");
        if (by.TryGetValue(SweepAxis.Width, out var width)) spec = ModelScaling.ScaleWidth(spec, width.Value);
        if (by.TryGetValue(SweepAxis.LayerSizes, out var sizes)) spec = ModelScaling.SetLayerSizes(spec, sizes.Sizes!);
        if (by.TryGetValue(SweepAxis.DModel, out var d)) spec = ModelScaling.SetDModel(spec, d.Integer, keepFfn: by.ContainsKey(SweepAxis.FfnSize));
        if (by.TryGetValue(SweepAxis.FfnSize, out var ffn)) spec = ModelScaling.SetFfnSize(spec, ffn.Integer);
        if (by.TryGetValue(SweepAxis.Heads, out var heads)) spec = ModelScaling.SetHeads(spec, checked((int)heads.Integer));
        if (by.TryGetValue(SweepAxis.Depth, out var depth)) spec = ModelScaling.Repeat(spec, sweep.DepthBlock, checked((int)depth.Integer));
        if (spec.Transformer is { } t) ModelScaling.CheckTransformer(t);
        return spec;
    }

    private static TrainingConfig ApplyTraining(SweepSpec sweep, ModelSpec spec, IReadOnlyList<AxisSetting> settings)
    {
        var c = sweep.Training;
        foreach (var s in settings)
        {
            c = s.Axis switch
            {
                SweepAxis.DataFraction => c with { Data = c.Data with { TrainFraction = s.Value } },
                SweepAxis.Epochs => c with { Epochs = checked((int)s.Integer) },
                SweepAxis.StepsPerEpoch => c with { MaxStepsPerEpoch = s.Integer },
                SweepAxis.Lr => c with { Lr = s.Value },
                SweepAxis.BatchSize => c with { BatchSize = checked((int)s.Integer) },
                SweepAxis.Seed => c with { Seed = checked((int)s.Integer) },
                _ => c,
            };
        }
        if (settings.FirstOrDefault(s => s.Axis == SweepAxis.TokenBudget) is { } budget)
        {
            if (spec.Task != TaskKind.LanguageModel)
                throw new TrialRejectedException("token_budget is for language models (tokens = steps × batch_size × sequence_length); use data_fraction or steps_per_epoch");
            if (settings.Any(s => s.Axis == SweepAxis.StepsPerEpoch))
                throw new TrialRejectedException("sets both token_budget and steps_per_epoch; the budget decides the steps, use one of them");
            // The budget caps steps per epoch so that epochs × steps × batch × sequence ≈ budget (rounded up);
            // a corpus with fewer windows than that ends each epoch early, so the trial then sees fewer tokens.
            long tokensPerStep = checked((long)c.BatchSize * c.Data.SequenceLength * c.Epochs);
            c = c with { MaxStepsPerEpoch = Math.Max(1, (budget.Integer + tokensPerStep - 1) / tokensPerStep) };
        }
        return c;
    }
}
