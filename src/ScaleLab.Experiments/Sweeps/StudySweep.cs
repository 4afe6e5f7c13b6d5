using ScaleLab.Core.Accounting;
using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// The sweep of `scalelab study`, the main job: the seed MLP (784-1000-500-250, ReLU, 10-class head) at six widths,
/// 1/32 to 1 (25 K → 1.4 M parameters), two epochs of Adam on the embedded Fashion-MNIST subset with a 10 %
/// validation carve; --quick: the five smaller widths, one epoch on 2,000 samples.
/// </summary>
public static class StudySweep
{
    public static readonly IReadOnlyList<double> Widths = [0.03125, 0.0625, 0.125, 0.25, 0.5, 1];

    public static readonly IReadOnlyList<double> QuickWidths = [0.03125, 0.0625, 0.125, 0.25, 0.5];

    /// <summary>
    /// Trials the study runs at once when the user names no count: one per core, at most one per trial, each trial then
    /// given cores / workers threads (<see cref="Running.SweepRunOptions.TrialThreads"/>). Its trials are small (two
    /// epochs on 9,000 samples): start-up, evaluation and the test pass, not GEMMs, take most of a small width's
    /// 1.2–1.5 s, and a second thread does little for them. On the 2-core build machine (load 1.5–1.9) two one-thread
    /// trials at a time finished the study in 7.7–9.5 s, one two-thread trial at a time in 12.7–17.8 s. Cores, not the
    /// free cores of the moment: `dotnet run`'s own build was still running when the study sampled them, and a
    /// one-thread trial has no OpenMP team to spin when a core is taken.
    /// </summary>
    public static int DefaultWorkers(bool quick, int cores) => Math.Clamp(cores, 1, (quick ? QuickWidths : Widths).Count);

    /// <summary>The study's sweep, trained on the data in <paramref name="dataDirectory"/> (the embedded subset by default).</summary>
    public static SweepSpec Create(bool quick, string? dataDirectory = null)
    {
        var model = new ModelSpec
        {
            Name = "mlp-784-1000-500-250-10",
            Description = "The seed MLP (784-1000-500-250, ReLU) with a 10-class output layer",
            Input = new Shape([1, 28, 28]),
            Layers =
            [
                new FlattenLayer(), new LinearLayer(1000), new ActivationLayer(ActivationKind.Relu), new LinearLayer(500),
                new ActivationLayer(ActivationKind.Relu), new LinearLayer(250), new ActivationLayer(ActivationKind.Relu), new LinearLayer(10),
            ],
        };
        var training = new TrainingConfig
        {
            Epochs = quick ? 1 : 2,
            BatchSize = 64,
            Optimizer = OptimizerKind.Adam,
            Lr = 0.001,
            Seed = 0,
            Data = new DataConfig
            {
                Source = new IdxSource(IdxSet.FashionMnist),
                Directory = dataDirectory ?? Path.Combine(DataDirectory.EmbeddedRoot, "fashion-mnist"),
                ValidationFraction = 0.1,
                Limit = quick ? 2000 : null,
            },
        };
        var sweep = new SweepSpec
        {
            Name = quick ? "study-quick" : "study",
            Description = "scalelab study: seed MLP width sweep on the embedded Fashion-MNIST subset",
            Source = "scalelab study",
            Model = model,
            Training = training,
            Axes = [(SweepAxis.Width, [.. (quick ? QuickWidths : Widths).Select(w => new AxisSetting(SweepAxis.Width, w))])],
        };
        return sweep with { Json = SweepSpecJsonWriter.Write(sweep) };
    }
}
