using System.Globalization;
using ScaleLab.Core.Formatting;
using ScaleLab.Torch.Compression;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>The table `compress` prints: one row per compressed model, accuracy always next to bytes and latency.</summary>
internal static class CompressionTable
{
    public static void Write(TextWriter output, IReadOnlyList<CompressionResult> results)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = Math.Max(console.Profile.Width, 150);   // eleven columns: never wrap them into unreadable slivers
        var first = results[0];
        var table = new Table().Border(TableBorder.Rounded)
            .Title(string.Create(CultureInfo.InvariantCulture, $"baseline fp32: accuracy {first.BaselineAccuracy:P2}, {HumanUnits.Bytes(first.BaselineFileBytes)}, {first.BaselineLatencyBatch1Ms:F3} / {first.BaselineLatencyBatch64Ms:F3} ms at batch 1 / 64"));
        foreach (var column in new[] { "method", "parameters", "non-zero", "file", "of fp32", "accuracy", "Δ pts", "ms b1", "ms b64", "int8 runtime", "pareto" })
            table.AddColumn(new TableColumn(column) { Alignment = column == "method" ? Justify.Left : Justify.Right });
        foreach (var r in results)
        {
            string runtime = r.Int8RuntimeAccuracy is double acc
                ? string.Create(CultureInfo.InvariantCulture, $"{acc:P2}, {r.Int8RuntimeLatencyBatch1Ms:F3}/{r.Int8RuntimeLatencyBatch64Ms:F3} ms")
                : "—";
            table.AddRow(
                Markup.Escape(r.Label),
                r.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                r.NonZeroParameters.ToString("N0", CultureInfo.InvariantCulture),
                HumanUnits.Bytes(r.FileBytes),
                r.FileRatio.ToString("P1", CultureInfo.InvariantCulture),
                r.Accuracy.ToString("P2", CultureInfo.InvariantCulture),
                (r.AccuracyDelta * 100).ToString("+0.00;-0.00", CultureInfo.InvariantCulture),
                r.LatencyBatch1Ms.ToString("F3", CultureInfo.InvariantCulture),
                r.LatencyBatch64Ms.ToString("F3", CultureInfo.InvariantCulture),
                Markup.Escape(runtime),
                CompressionSession.IsParetoOptimal(r, results) ? "yes" : "");
        }
        console.Write(table);
        output.WriteLine("Accuracy: test split, weights exactly as decoded from the file, run in fp32 TorchSharp; ms: TorchSharp fp32 forward, best of 5 × 20.");
        output.WriteLine("int8 runtime: the same int8 weights through ONNX Runtime integer kernels with activations quantized per batch (dense stacks only).");
        foreach (var r in results.Where(r => r.StaticInt8Accuracy is not null))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Label}: with static int8 activations too (calibrated on 2,048 training samples, every linear/conv input) accuracy {r.StaticInt8Accuracy:P2}"));
        foreach (var r in results.Where(r => !r.ReloadedIdentically))
            output.WriteLine($"WARNING: {r.ArtifactPath} did not evaluate identically after reloading.");
        foreach (var r in results.Where(r => r.ScratchAccuracy is not null))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"distillation: student from teacher {r.Accuracy:P2} vs the same student from scratch {r.ScratchAccuracy:P2}"));
    }
}
