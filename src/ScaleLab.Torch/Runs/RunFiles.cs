namespace ScaleLab.Torch.Runs;

/// <summary>
/// The run-directory layout (ENGINE_CONTRACT.md), the contract with experiments, reports and compression.
/// Every path a reader needs is named here and nowhere else.
/// </summary>
public sealed record RunFiles(string Root)
{
    public string Spec => Path.Combine(Root, "spec.json");
    public string Config => Path.Combine(Root, "config.json");
    public string Info => Path.Combine(Root, "run.json");
    public string MetricsJsonl => Path.Combine(Root, "metrics.jsonl");
    public string MetricsCsv => Path.Combine(Root, "metrics.csv");

    /// <summary>Step records (StepMetrics), a bounded number per epoch; kept apart so metrics.jsonl stays one line per epoch.</summary>
    public string StepsJsonl => Path.Combine(Root, "steps.jsonl");
    public string Summary => Path.Combine(Root, "summary.json");
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    public string TensorBoard => Path.Combine(Root, "tensorboard");

    /// <summary>The test split's confusion matrix of the final weights (classification only), for the confusion-matrix plot.</summary>
    public string Confusion => Path.Combine(Root, "confusion.json");

    /// <summary>Weights of the last completed epoch.</summary>
    public string LastWeights => Path.Combine(Checkpoints, "last.safetensors");

    /// <summary>Optimizer state tensors of the last completed epoch (the tensors of last.json's state).</summary>
    public string LastOptimizer => Path.Combine(Checkpoints, "last.optimizer.safetensors");

    /// <summary>Epoch, step, schedule, early-stopping and RNG state, config hash: written last, so it marks a checkpoint complete.</summary>
    public string LastState => Path.Combine(Checkpoints, "last.json");

    /// <summary>Weights of the epoch with the lowest validation loss.</summary>
    public string BestWeights => Path.Combine(Checkpoints, "best.safetensors");

    public string Weights(string checkpoint) => Path.Combine(Checkpoints, checkpoint + ".safetensors");
}
