namespace ScaleLab.Torch.Checkpoints;

/// <summary>
/// last.json: everything besides tensors that a resumed run needs to continue exactly. Epoch is the last completed
/// (1-based) epoch; the run resumes at the start of the next. The RNG needs no saved bytes: torch's generator is
/// reseeded from (seed, epoch) at every epoch start and the batch order is a permutation of (seed, epoch), so
/// NextEpochSeed is the whole random state at the resume point.
/// </summary>
public sealed record CheckpointState(
    int Epoch,
    long GlobalStep,
    string Optimizer,
    long OptimizerSteps,
    double LearningRate,
    double? BestValLoss,
    int? BestEpoch,
    int EpochsWithoutImprovement,
    int Seed,
    long NextEpochSeed,
    string ConfigHash,
    string WeightsFile,
    string OptimizerFile,
    DateTime WrittenUtc)
{
    public const string FormatName = "scalelab-checkpoint-1";

    public string Format { get; init; } = FormatName;

    /// <summary>Seconds spent training so far (for summary figures across resumes).</summary>
    public double TrainSeconds { get; init; }

    /// <summary>Training samples processed so far (for the training-FLOPs figure).</summary>
    public long SamplesSeen { get; init; }

    /// <summary>The data the run trains on (<see cref="Data.DataIdentity"/>); null in checkpoints written before it was recorded.</summary>
    public string? DataIdentity { get; init; }
}
