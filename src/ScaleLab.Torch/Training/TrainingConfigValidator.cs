using System.Globalization;
using ScaleLab.Core.Accounting;

namespace ScaleLab.Torch.Training;

/// <summary>Every check of a <see cref="TrainingConfig"/>, in one place, each message echoing the value and what would be valid.</summary>
public static class TrainingConfigValidator
{
    /// <summary>The optimizers training runs: every <see cref="OptimizerKind"/> but adam8bit, which only the estimate counts.</summary>
    public static readonly IReadOnlyList<OptimizerKind> Optimizers = [.. OptimizerKindInfo.All.Where(k => k != OptimizerKind.Adam8Bit)];

    public static void Validate(TrainingConfig c, string source)
    {
        ArgumentNullException.ThrowIfNull(c);
        // data.name, schedule, loss and device are typed, and their converters refuse null and unknown names with the valid ones.
        if (!Optimizers.Contains(c.Optimizer)) throw new TrainingConfigException(source, EstimateOnly(c.Optimizer));
        Positive(source, "epochs", c.Epochs);
        Positive(source, "batch_size", c.BatchSize);
        Positive(source, "step_size", c.StepSize);
        if (!(c.Lr > 0) || double.IsInfinity(c.Lr)) Fail(source, "lr", c.Lr, "a positive number, e.g. 0.001");
        if (c.Momentum is < 0 or >= 1) Fail(source, "momentum", c.Momentum, "a number in [0, 1)");
        if (c.Nesterov && c.ResolvedMomentum == 0) throw new TrainingConfigException(source, "nesterov: true needs momentum > 0, e.g. \"momentum\": 0.9");
        if (c.WeightDecay < 0) Fail(source, "weight_decay", c.WeightDecay, "0 or more");
        if (c.L1 < 0) Fail(source, "l1", c.L1, "0 or more");
        if (c.Betas is not { Length: 2 } || c.Betas.Any(b => b is < 0 or >= 1)) Fail(source, "betas", c.Betas?.Length ?? 0, "two numbers in [0, 1), e.g. [0.9, 0.999]");
        if (!(c.Eps > 0)) Fail(source, "eps", c.Eps, "a positive number, e.g. 1e-8");
        if (c.Alpha is < 0 or >= 1) Fail(source, "alpha", c.Alpha, "a number in [0, 1)");
        if (c.Gamma <= 0) Fail(source, "gamma", c.Gamma, "a positive number");
        if (c.WarmupSteps < 0) Fail(source, "warmup_steps", c.WarmupSteps, "0 or more");
        if (c.WarmupEpochs < 0) Fail(source, "warmup_epochs", c.WarmupEpochs, "0 or more");
        if (c.MinLr < 0 || c.MinLr > c.Lr) Fail(source, "min_lr", c.MinLr, "between 0 and lr");
        if (c.GradClip is <= 0) Fail(source, "grad_clip", c.GradClip.Value, "a positive norm, or leave it out");
        if (c.EarlyStoppingPatience is < 1) Fail(source, "early_stopping_patience", c.EarlyStoppingPatience.Value, "1 or more epochs, or leave it out");
        if (c.Threads is < 1) Fail(source, "threads", c.Threads.Value, "1 or more");
        if (c.MaxStepsPerEpoch is < 1) Fail(source, "max_steps_per_epoch", c.MaxStepsPerEpoch.Value, "1 or more, or leave it out");
        if (c.EvalBatchSize is < 1) Fail(source, "eval_batch_size", c.EvalBatchSize.Value, "1 or more");
        if (c.Data is null) throw new TrainingConfigException(source, "data: must be an object, e.g. {\"name\": \"fashion-mnist\"}");
        if (c.Data.TrainFraction is <= 0 or > 1) Fail(source, "data.train_fraction", c.Data.TrainFraction, "in (0, 1]");
        if (c.Data.ValidationFraction is < 0 or >= 1) Fail(source, "data.validation_fraction", c.Data.ValidationFraction, "in [0, 1)");
        if (c.Data.Limit is < 1) Fail(source, "data.limit", c.Data.Limit.Value, "1 or more samples");
        Positive(source, "data.sequence_length", c.Data.SequenceLength);
    }

    /// <summary>The message for an optimizer the estimate knows but training does not run.</summary>
    public static string EstimateOnly(OptimizerKind kind) =>
        $"optimizer: '{kind.Name()}' is counted by `scalelab estimate` but not trained here (no 8-bit optimizer kernels); use {string.Join(", ", Optimizers.Select(o => o.Name()))}";

    private static void Positive(string source, string field, long value)
    {
        if (value < 1) Fail(source, field, value, "1 or more");
    }

    private static void Fail(string source, string field, double value, string valid) =>
        throw new TrainingConfigException(source, $"{field}: {value.ToString("R", CultureInfo.InvariantCulture)} is not valid; expected {valid}");
}
