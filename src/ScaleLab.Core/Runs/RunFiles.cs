namespace ScaleLab.Core.Runs;

/// <summary>
/// The run-directory layout, the contract between training, experiments, reports and compression
/// (docs/run-directory.md). Every file name a reader or writer needs is named here and nowhere else.
/// </summary>
public sealed record RunFiles(string Root)
{
    public const string SpecFile = "spec.json";
    public const string ConfigFile = "config.json";
    public const string SummaryFile = "summary.json";
    public const string MetricsFile = "metrics.jsonl";
    public const string StepsFile = "steps.jsonl";
    public const string ConfusionFile = "confusion.json";

    public string Spec => Path.Combine(Root, SpecFile);
    public string Config => Path.Combine(Root, ConfigFile);
    public string Info => Path.Combine(Root, "run.json");
    public string MetricsJsonl => Path.Combine(Root, MetricsFile);
    public string MetricsCsv => Path.Combine(Root, "metrics.csv");

    /// <summary>Step records (StepMetrics), a bounded number per epoch; kept apart so metrics.jsonl stays one line per epoch.</summary>
    public string StepsJsonl => Path.Combine(Root, StepsFile);
    public string Summary => Path.Combine(Root, SummaryFile);
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    public string TensorBoard => Path.Combine(Root, "tensorboard");

    /// <summary>The test split's confusion matrix of the final weights (classification only), for the confusion-matrix plot.</summary>
    public string Confusion => Path.Combine(Root, ConfusionFile);

    /// <summary>Weights of the last completed epoch.</summary>
    public string LastWeights => Path.Combine(Checkpoints, "last.safetensors");

    /// <summary>Optimizer state tensors of the last completed epoch (the tensors of last.json's state).</summary>
    public string LastOptimizer => Path.Combine(Checkpoints, "last.optimizer.safetensors");

    /// <summary>Epoch, step, schedule, early-stopping and RNG state, config hash: written last, so it marks a checkpoint complete.</summary>
    public string LastState => Path.Combine(Checkpoints, "last.json");

    /// <summary>Weights of the epoch with the lowest validation loss.</summary>
    public string BestWeights => Path.Combine(Checkpoints, "best.safetensors");

    public string Weights(string checkpoint) => Path.Combine(Checkpoints, checkpoint + ".safetensors");

    /// <summary>True when <paramref name="directory"/> holds a run's results (a summary, or at least one epoch's metrics).</summary>
    public static bool HoldsRun(string directory) =>
        File.Exists(Path.Combine(directory, SummaryFile)) || File.Exists(Path.Combine(directory, MetricsFile));
}
