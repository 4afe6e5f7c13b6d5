using ScaleLab.Core.Accounting;
using ScaleLab.Core.Formatting;
using Spectre.Console;

namespace ScaleLab.Cli.Rendering;

/// <summary>`scalelab estimate` with no target: one row per bundled preset, the same settings for all.</summary>
internal static class ComparisonRenderer
{
    public static void Render(IAnsiConsole console, IReadOnlyList<EstimateReport> reports, EstimateOptions options)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(options);
        string precision = options.MixedPrecision ? "mixed precision" : options.Precision.Name();
        string batch = options.Batch is { } b ? $"batch {HumanUnits.Exact(b)}" : "batch 32 (layer stacks) / 1 sequence (transformers)";
        console.WriteLine($"Bundled presets · training: {precision}, {options.Optimizer.Name()}, {batch} · 1 MAC = 2 FLOPs");
        var t = Cells.Table(null, "Model", "Kind", ">Params", ">Active", ">Tokens", ">Fwd FLOPs/sample", ">FLOPs/token", ">Train memory", ">Infer memory", ">Disk fp16", ">Disk int4");
        foreach (var r in reports)
        {
            var c = r.Cost;
            t.AddRow(
                Cells.Text(r.Spec.Name),
                Cells.Text(r.Kind),
                Cells.Things(c.Parameters),
                Cells.Things(c.ActiveParameters),
                Cells.Exact(c.SequenceLength),
                Cells.Human(c.ForwardFlops),
                Cells.Human(c.FlopsPerToken),
                Cells.Bytes(r.Training.TotalBytes),
                Cells.Bytes(r.Inference.TotalBytes),
                Cells.Bytes(r.DiskBytes[Precision.Fp16]),
                Cells.Bytes(r.DiskBytes[Precision.Int4]));
        }
        t.Caption(Markup.Escape("params/FLOPs: K = 10³, M = 10⁶, G = 10⁹, T = 10¹²; bytes: KiB = 2¹⁰ … ; scalelab estimate NAME for the details"));
        console.Write(t);
    }
}
