using ScaleLab.Core.Spec;
using ScaleLab.Experiments.Running;
using ScaleLab.Torch.Training;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// A validated sweep file (docs/sweeps.md): a base model and training config, and either a grid of axes or an
/// explicit list of trials, each trial repeated over <see cref="Repeats"/> seeds. <see cref="SweepExpansion"/>
/// turns it into trial plans.
/// </summary>
public sealed record SweepSpec
{
    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary>The sweep file (or "&lt;memory&gt;"), for messages.</summary>
    public string Source { get; init; } = "<memory>";

    public required ModelSpec Model { get; init; }
    public TrainingConfig Training { get; init; } = new();

    /// <summary>Grid axes in file order (the first varies slowest), each with its values. Empty when <see cref="Trials"/> is used.</summary>
    public IReadOnlyList<(SweepAxis Axis, IReadOnlyList<AxisSetting> Values)> Axes { get; init; } = [];

    /// <summary>Explicit trials, each a list of axis settings. Empty when <see cref="Axes"/> is used.</summary>
    public IReadOnlyList<IReadOnlyList<AxisSetting>> Trials { get; init; } = [];

    /// <summary>Each trial is run with seeds training.seed, +1, …, + Repeats − 1.</summary>
    public int Repeats { get; init; } = 1;

    /// <summary>The half-open range [Start, End) of top-level layers the depth axis repeats; null when none is marked.</summary>
    public (int Start, int End)? DepthBlock { get; init; }

    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>A failed trial is retried on a re-run until it has had this many attempts.</summary>
    public int MaxAttempts { get; init; } = 2;

    /// <summary>The sweep file's text, stored with the results.</summary>
    public string Json { get; init; } = "{}";
}
