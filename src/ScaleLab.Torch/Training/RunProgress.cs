using ScaleLab.Core.Accounting;
using ScaleLab.Torch.Checkpoints;

namespace ScaleLab.Torch.Training;

/// <summary>The mutable bookkeeping of a run between epochs: what a checkpoint saves besides tensors.</summary>
internal sealed class RunProgress
{
    public int Epoch { get; set; }
    public long GlobalStep { get; set; }
    public double TrainSeconds { get; set; }
    public long SamplesSeen { get; set; }
    public double? BestValLoss { get; private set; }
    public int? BestEpoch { get; private set; }
    public int EpochsWithoutImprovement { get; private set; }

    public static RunProgress From(CheckpointState c) => new()
    {
        Epoch = c.Epoch,
        GlobalStep = c.GlobalStep,
        TrainSeconds = c.TrainSeconds,
        SamplesSeen = c.SamplesSeen,
        BestValLoss = c.BestValLoss,
        BestEpoch = c.BestEpoch,
        EpochsWithoutImprovement = c.EpochsWithoutImprovement,
    };

    /// <summary>Records an epoch's validation loss; true when it is the best so far. Without validation data the latest epoch counts as best.</summary>
    public bool Observe(int epoch, double? valLoss)
    {
        if (valLoss is null)
        {
            BestEpoch = epoch;
            return true;
        }

        if (BestValLoss is double best && valLoss >= best)
        {
            EpochsWithoutImprovement++;
            return false;
        }

        BestValLoss = valLoss;
        BestEpoch = epoch;
        EpochsWithoutImprovement = 0;
        return true;
    }

    public CheckpointState ToCheckpoint(TrainingConfig config, string hash, string dataIdentity, Optimizer optimizer, double lr, long nextEpochSeed) =>
        new(Epoch, GlobalStep, config.Optimizer.Name(), optimizer.Steps, lr, BestValLoss, BestEpoch, EpochsWithoutImprovement, config.Seed, nextEpochSeed,
            hash, "last.safetensors", "last.optimizer.safetensors", DateTime.UtcNow)
        {
            TrainSeconds = TrainSeconds,
            SamplesSeen = SamplesSeen,
            DataIdentity = dataIdentity,
        };
}
