using System.Text.Json;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Spec;

namespace ScaleLab.Core.Runs;

/// <summary>The trials of a sweep directory (or one run directory), whichever way they were stored.</summary>
/// <param name="Source">"results.db" when read from the sweep's store, "run directories" when read from DIR/trials/*/, "run directory" for one run, "results store" when read from a shared store (--store).</param>
public sealed record SweepData(string Directory, string Name, string Source, IReadOnlyList<TrialPoint> Trials)
{
    /// <summary>The <see cref="Source"/> of trials read from a shared store.</summary>
    public const string StoreSource = "results store";

    /// <summary>Trials that ran to the end (completed, or the trainer's own early stopping): the ones a fit should use.</summary>
    public IReadOnlyList<TrialPoint> Completed => [.. Trials.Where(t => t.Status == TrialStatus.Completed)];
}

/// <summary>
/// One trial of a sweep as the plots and the fit need it, made from a store row or a run directory by one function,
/// <see cref="From"/>. Loss and accuracy are validation figures at the epoch with the lowest validation loss (the
/// checkpoint a sweep keeps); Axes holds the sweep axis values that made the trial (numeric ones only).
/// </summary>
public sealed record TrialPoint
{
    public required string Id { get; init; }
    public string Label { get; init; } = "";
    public TrialStatus Status { get; init; } = TrialStatus.Completed;
    public long Parameters { get; init; }
    public long EstimatedParameters { get; init; }
    public double? TrainingFlops { get; init; }

    /// <summary>Training samples processed (for a language model, sequences).</summary>
    public double? SamplesSeen { get; init; }
    public double? ValLoss { get; init; }
    public double? ValAccuracy { get; init; }
    public double? TestAccuracy { get; init; }
    public double? StepSecondsMean { get; init; }
    public double? TrainSeconds { get; init; }
    public long? PeakRssBytes { get; init; }

    /// <summary>Estimated training FLOPs of one step (3 × forward FLOPs per sample × batch), when known.</summary>
    public double? EstimatedStepFlops { get; init; }

    /// <summary>
    /// Estimated peak training memory in bytes (weights, gradients, optimizer state, activations), when known: the
    /// run's own step estimate (<see cref="RunMemory"/>) when its summary has one, else the planning estimate.
    /// </summary>
    public long? EstimatedTrainingBytes { get; init; }

    /// <summary>The run's measured step peak above its baseline (<see cref="RunMemory.StepPeakBytes"/>), the figure <see cref="EstimatedTrainingBytes"/> estimates.</summary>
    public long? MeasuredStepBytes { get; init; }

    public IReadOnlyDictionary<string, double> Axes { get; init; } = new Dictionary<string, double>();
    public IReadOnlyList<EpochMetrics> Epochs { get; init; } = [];

    /// <summary>The run's step records (steps.jsonl, at most <see cref="StepLogInterval.MaxRecordsPerEpoch"/> per epoch); empty when its run directory is not readable here.</summary>
    public IReadOnlyList<StepMetrics> Steps { get; init; } = [];

    /// <summary>The point of one trial: its plan, its run's summary (when it has one), its epochs and its step records.</summary>
    public static TrialPoint From(TrialRecord trial, IReadOnlyList<EpochMetrics> epochs, IReadOnlyList<StepMetrics> steps)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(epochs);
        ArgumentNullException.ThrowIfNull(steps);
        var plan = trial.Plan;
        var result = trial.Result;
        var best = result?.Best is { } b ? epochs.FirstOrDefault(e => e.Epoch == b.Epoch) : EpochMetrics.BestOf(epochs);
        var last = result?.Final ?? (epochs.Count > 0 ? epochs[^1] : null);
        var (stepFlops, memory) = Estimates(plan.SpecJson, plan.ConfigJson, plan.ForwardFlopsPerSample > 0 ? plan.ForwardFlopsPerSample : null);
        return new TrialPoint
        {
            Id = plan.Id,
            Label = plan.Label.Length > 0 ? plan.Label : plan.Id,
            Status = trial.Status,
            Parameters = result?.Parameters ?? plan.EstimatedParameters,
            EstimatedParameters = plan.EstimatedParameters,
            TrainingFlops = result?.TrainingFlops,
            SamplesSeen = result?.SamplesSeen,
            ValLoss = result?.Best?.ValLoss ?? best?.ValLoss ?? last?.ValLoss,
            ValAccuracy = best?.ValAccuracy ?? last?.ValAccuracy,
            TestAccuracy = result?.Test?.Accuracy,
            StepSecondsMean = result?.StepSecondsMean,
            TrainSeconds = result?.TrainSeconds,
            PeakRssBytes = result?.PeakRssBytes,
            EstimatedStepFlops = stepFlops,
            EstimatedTrainingBytes = result?.Memory?.EstimatedStepPeakBytes ?? memory,
            MeasuredStepBytes = result?.Memory?.StepPeakBytes,
            Axes = NumericAxes(plan.AxesJson),
            Epochs = epochs,
            Steps = steps,
        };
    }

    /// <summary>
    /// The estimator's figures for one training step: 3 × forward FLOPs per sample × batch (Kaplan et al. 2020 §2.1),
    /// and training memory (<see cref="MemoryEstimator.Training"/>, fp32, the config's optimizer and batch). Null when
    /// the spec or config cannot be read: the plot then leaves the trial out rather than guess.
    /// </summary>
    private static (double? StepFlops, long? TrainingBytes) Estimates(string specJson, string configJson, long? forwardFlopsPerSample)
    {
        if (specJson.Length == 0 || configJson.Length == 0) return (null, null);
        try
        {
            using var config = JsonDocument.Parse(configJson);
            var root = config.RootElement;
            long batch = root.TryGetProperty("batch_size", out var bs) && bs.TryGetInt64(out long n) ? n : 1;
            string optimizerName = root.TryGetProperty("optimizer", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "adam";
            double momentum = root.TryGetProperty("momentum", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : 0;
            if (!OptimizerKindInfo.TryParse(optimizerName, out var named)) return (null, null);
            var optimizer = named.WithMomentum(momentum);
            var cost = ModelAccounting.Account(ModelSpecJson.Parse(specJson, RunFiles.SpecFile));
            double stepFlops = 3.0 * (forwardFlopsPerSample ?? cost.ForwardFlops) * batch;
            long bytes = MemoryEstimator.Training(cost, new TrainingMemoryOptions(Precision.Fp32, optimizer, false, batch)).TotalBytes;
            return (stepFlops, bytes);
        }
        catch (Exception ex) when (ex is ScaleLabException or JsonException or OverflowException)
        {
            return (null, null);
        }
    }

    private static Dictionary<string, double> NumericAxes(string axesJson)
    {
        var axes = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(axesJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return axes;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Number) axes[p.Name] = p.Value.GetDouble();
                else if (p.Value.ValueKind == JsonValueKind.Array) axes[p.Name] = p.Value.GetArrayLength();
            }
        }
        catch (JsonException)
        {
            // A malformed axes column only costs the parallel-coordinates plot this trial's axes.
        }
        return axes;
    }
}
