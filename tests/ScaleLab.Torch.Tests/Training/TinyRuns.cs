using ScaleLab.Core.Runs;
using ScaleLab.Core.Accounting;
using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

/// <summary>
/// Small real runs on the embedded Fashion-MNIST subset, quick enough for unit tests. Tests that train draw from
/// torch's global generator, so they run in <see cref="SerialTorchCollection"/>, alone.
/// </summary>
internal static class TinyRuns
{
    /// <summary>The embedded subset, named explicitly so a machine with the full set installed still uses it.</summary>
    public static string EmbeddedFashionMnist => Path.Combine(DataDirectory.EmbeddedRoot, "fashion-mnist");

    /// <summary>784 → 32 → 10 with dropout, so resume and reproducibility also cover the dropout generator.</summary>
    public static ModelSpec Mlp(double dropout = 0.2) => new()
    {
        Name = "tiny-mlp",
        Input = Shape.Of(1, 28, 28),
        Layers =
        [
            new FlattenLayer(), new LinearLayer(32), new ActivationLayer(ActivationKind.Relu), new DropoutLayer(dropout), new LinearLayer(10),
        ],
    };

    public static TrainingConfig Config(int epochs = 2, long limit = 640) => new()
    {
        Epochs = epochs,
        BatchSize = 32,
        Optimizer = OptimizerKind.Adam,
        Lr = 2e-3,
        Schedule = ScheduleKind.Cosine,
        WarmupSteps = 4,
        Seed = 7,
        Threads = 1,
        Data = new DataConfig { Source = new IdxSource(IdxSet.FashionMnist), Directory = EmbeddedFashionMnist, Limit = limit, ValidationFraction = 0.2 },
    };

    public static string NewRunDirectory() => Path.Combine(Path.GetTempPath(), "scalelab-train-tests", Guid.NewGuid().ToString("N"));
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorchCollection
{
    public const string Name = "serial torch (global generator)";
}

/// <summary>Records every event, and cancels at a chosen (epoch, step) to stand in for a kill.</summary>
internal sealed class RecordingProgress(CancellationTokenSource? cancel = null, int cancelEpoch = 0, long cancelStep = 0) : ITrainingProgress
{
    public List<StepProgress> Steps { get; } = [];
    public List<EpochMetrics> Epochs { get; } = [];
    public RunSummary? Done { get; private set; }

    public void OnStart(TrainingStart start) { }

    public void OnStep(StepProgress step)
    {
        Steps.Add(step);
        if (cancel is not null && step.Epoch == cancelEpoch && step.Step == cancelStep) cancel.Cancel();
    }

    public void OnEpoch(EpochMetrics metrics) => Epochs.Add(metrics);

    public void OnDone(RunSummary summary) => Done = summary;
}
