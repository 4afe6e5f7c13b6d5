using System.Globalization;

namespace ScaleLab.Experiments.Sweeps;

/// <summary>
/// What a sweep can vary. Model axes: width (a multiplier on every hidden linear "units", conv "filters", recurrent
/// "hidden" and embedding "dim", or on a transformer's d_model and ffn_size), layer_sizes (explicit hidden sizes),
/// depth (copies of the marked block, or a transformer's layers), d_model, ffn_size, heads. Training axes:
/// data_fraction, token_budget, epochs, steps_per_epoch, lr, batch_size, seed.
/// </summary>
public enum SweepAxis { Width, LayerSizes, Depth, DModel, FfnSize, Heads, DataFraction, TokenBudget, Epochs, StepsPerEpoch, Lr, BatchSize, Seed }

/// <summary>The JSON names of <see cref="SweepAxis"/> and what each accepts.</summary>
public static class SweepAxes
{
    private static readonly (SweepAxis Axis, string Name)[] Table =
    [
        (SweepAxis.Width, "width"), (SweepAxis.LayerSizes, "layer_sizes"), (SweepAxis.Depth, "depth"),
        (SweepAxis.DModel, "d_model"), (SweepAxis.FfnSize, "ffn_size"), (SweepAxis.Heads, "heads"),
        (SweepAxis.DataFraction, "data_fraction"), (SweepAxis.TokenBudget, "token_budget"), (SweepAxis.Epochs, "epochs"),
        (SweepAxis.StepsPerEpoch, "steps_per_epoch"), (SweepAxis.Lr, "lr"), (SweepAxis.BatchSize, "batch_size"), (SweepAxis.Seed, "seed"),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Table.Select(t => t.Name)];

    public static string Name(this SweepAxis axis) => Table.First(t => t.Axis == axis).Name;

    public static SweepAxis? Parse(string name) =>
        Table.Where(t => t.Name == name).Select(t => (SweepAxis?)t.Axis).FirstOrDefault();

    /// <summary>Axes whose values are whole numbers.</summary>
    public static bool IsInteger(this SweepAxis axis) => axis is not (SweepAxis.Width or SweepAxis.DataFraction or SweepAxis.Lr or SweepAxis.LayerSizes);

    /// <summary>The smallest valid value (seed may be 0; data_fraction is checked against (0, 1] separately).</summary>
    public static double Minimum(this SweepAxis axis) => axis == SweepAxis.Seed ? 0 : 1;

    /// <summary>Most entries in one layer_sizes value.</summary>
    public const int MaxLayerSizes = 1000;

    /// <summary>
    /// The largest valid value, checked when the sweep file is read so that no trial can ask for a model or a run too
    /// big to build: depth 10,000 blocks, widths and sizes the spec limits (2^24), heads 2^16, a width multiplier of
    /// 1,000, an lr of 100, batch 2^20, epochs 100,000, steps 10^9.
    /// </summary>
    public static double Maximum(this SweepAxis axis) => axis switch
    {
        SweepAxis.Depth => 10_000,
        SweepAxis.DModel or SweepAxis.FfnSize => Core.Spec.TransformerSpecJson.MaxWidth,
        SweepAxis.Heads => Core.Spec.TransformerSpecJson.MaxHeads,
        SweepAxis.Width => 1_000,
        SweepAxis.Lr => 100,
        SweepAxis.BatchSize => 1 << 20,
        SweepAxis.Epochs => 100_000,
        SweepAxis.StepsPerEpoch => 1e9,
        SweepAxis.TokenBudget => int.MaxValue * 1e6,
        _ => int.MaxValue,
    };

    public static string Describe(this SweepAxis axis) => axis switch
    {
        SweepAxis.Width or SweepAxis.Lr => $"a positive number of at most {axis.Maximum().ToString("G", CultureInfo.InvariantCulture)}",
        SweepAxis.DataFraction => "a number in (0, 1]",
        SweepAxis.Seed => "an integer, 0 or more",
        SweepAxis.LayerSizes => $"a list of 1 to {MaxLayerSizes} integers from 1 to {Core.Spec.TransformerSpecJson.MaxWidth}, e.g. [512, 256]",
        _ => $"an integer from 1 to {axis.Maximum().ToString("G", CultureInfo.InvariantCulture)}",
    };
}

/// <summary>One axis value of one trial: a number, or (layer_sizes) a list of sizes.</summary>
public sealed record AxisSetting(SweepAxis Axis, double Value, IReadOnlyList<long>? Sizes = null)
{
    /// <summary>"width=0.5", "layer_sizes=[512,256]": the label form.</summary>
    public override string ToString() => Axis.Name() + "=" + ValueText;

    public string ValueText => Sizes is not null
        ? "[" + string.Join(",", Sizes.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]"
        : Value.ToString("G", CultureInfo.InvariantCulture);

    public long Integer => checked((long)Value);
}
