using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Runs;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Training;

namespace ScaleLab.Torch.Tests.Training;

/// <summary>Every run keeps verify's loop in summary.json: its step-memory estimate beside what its first epoch measured.</summary>
[Collection(SerialTorchCollection.Name)]
public sealed class RunMemoryTests
{
    /// <summary>The seed MLP's hidden layers at full width (1.2 M parameters): state large enough to stand above page noise.</summary>
    private static ModelSpec Wide() => new()
    {
        Name = "wide-mlp",
        Input = Shape.Of(1, 28, 28),
        Layers = [new FlattenLayer(), new LinearLayer(1000), new ActivationLayer(ActivationKind.Relu), new LinearLayer(500), new ActivationLayer(ActivationKind.Relu), new LinearLayer(10)],
    };

    [Fact]
    public void Summary_HoldsTheStepEstimateAndTheMeasurement()
    {
        var spec = Wide();
        var config = TinyRuns.Config(epochs: 1) with { MaxStepsPerEpoch = 8 };
        var summary = Trainer.Run(spec, config, TinyRuns.NewRunDirectory(), resume: false, SilentProgress.Instance, CancellationToken.None);

        var m = Assert.IsType<RunMemory>(summary.Memory);
        var estimate = StepMemory.Estimate(ModelAccounting.Account(spec), config.BatchSize, config.Optimizer, Precision.Fp32);
        Assert.Equal((estimate.ModelStateBytes, estimate.PeakBytes), (m.EstimatedModelStateBytes, m.EstimatedStepPeakBytes));
        // What the measured figures must satisfy is tested in a fresh process (ScaleLab.Cli.Tests RunMemoryProcessTests):
        // in this test process earlier tests' freed memory can hold the model without a new page.
        Assert.True(m.BaselineBytes > 0);
        Assert.Equal(m, RunReader.ReadSummary(summary.RunDirectory).Memory);
    }
}
