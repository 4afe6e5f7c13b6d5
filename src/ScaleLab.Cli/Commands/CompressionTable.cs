using System.Globalization;
using ScaleLab.Core.Formatting;
using ScaleLab.Torch.Compression;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// The tables `compress` prints: one row per compressed model, accuracy always next to bytes and latency, every
/// difference marked "≈" when it is within noise (<see cref="ParetoRule"/>); then the deployment latency matrix.
/// </summary>
internal static class CompressionTable
{
    public static void Write(TextWriter output, IReadOnlyList<CompressionResult> results)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = Math.Max(console.Profile.Width, 170);   // twelve columns: never wrap them into unreadable slivers
        var first = results[0];
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"baseline fp32: accuracy {first.BaselineAccuracy:P2} on {first.TestSamples:N0} test samples, {HumanUnits.Bytes(first.BaselineFileBytes)}, {Ms(first.BaselineLatencyBatch64)} ms at batch 64")));
        foreach (var column in new[] { "method", "epochs", "non-zero", "file", "of fp32", "accuracy", "Δ pts vs baseline", "Δ pts vs same epochs", "ms b64 (95 % interval)", "int8 runtime", "pareto" })
            table.AddColumn(new TableColumn(column) { Alignment = column == "method" ? Justify.Left : Justify.Right });
        foreach (var r in results)
        {
            string runtime = r.Int8RuntimeAccuracy is double acc
                ? string.Create(CultureInfo.InvariantCulture, $"{acc:P2}")
                : "—";
            var reference = ParetoRule.SameBudgetBaseline(r, results);
            table.AddRow(
                Markup.Escape(r.Label),
                r.FineTuneEpochs.ToString(CultureInfo.InvariantCulture),
                r.NonZeroParameters.ToString("N0", CultureInfo.InvariantCulture),
                HumanUnits.Bytes(r.FileBytes),
                r.FileRatio.ToString("P1", CultureInfo.InvariantCulture),
                r.Accuracy.ToString("P2", CultureInfo.InvariantCulture),
                Delta(r.AccuracyDelta, ParetoRule.AccuracyNoise(r.Accuracy, r.BaselineAccuracy, r.TestSamples)),
                reference is null ? "—" : Delta(r.Accuracy - reference.Accuracy, ParetoRule.AccuracyNoise(r, reference)),
                Markup.Escape(Ms(r.LatencyBatch64) + (Overlaps(r.LatencyBatch64, r.BaselineLatencyBatch64) ? " ≈" : "")),
                Markup.Escape(runtime),
                ParetoRule.IsParetoOptimal(r, results) ? "yes" : "");
        }
        console.Write(table);
        output.WriteLine("Accuracy: test split, weights exactly as decoded from the file, run in fp32 TorchSharp. ≈: within noise (accuracy: the 95 % interval");
        output.WriteLine("of a difference of two proportions, 1.96·√(p₁(1−p₁)/n + p₂(1−p₂)/n); latency: the 95 % intervals of the medians of 15 rounds overlap).");
        output.WriteLine("Δ vs same epochs: against \"baseline + N epochs\", the uncompressed model trained for the same extra epochs. pareto: beats every other row");
        output.WriteLine("beyond noise on at least one of accuracy, file bytes, batch-64 latency. int8 runtime: ONNX Runtime integer kernels, activations quantized per batch.");
        foreach (var r in results.Where(r => r.StaticInt8Accuracy is not null))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Label}: with static int8 activations too (calibrated on 2,048 training samples, every linear/conv input) accuracy {r.StaticInt8Accuracy:P2}"));
        foreach (var r in results.Where(r => !r.ReloadedIdentically))
            output.WriteLine($"WARNING: {r.ArtifactPath} did not evaluate identically after reloading.");
        foreach (var r in results.Where(r => r.ScratchAccuracy is not null))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"distillation: student from teacher {r.Accuracy:P2} vs the same student from scratch {r.ScratchAccuracy:P2}"));
        DeploymentTable(console, output, results);
    }

    /// <summary>Rows: variant × engine; columns: batch × threads; then int8 vs fp32 on ONNX Runtime.</summary>
    private static void DeploymentTable(IAnsiConsole console, TextWriter output, IReadOnlyList<CompressionResult> results)
    {
        var cells = results.SelectMany(r => r.Deployment).ToList();
        if (cells.Count == 0) return;
        var settings = cells.Select(c => (c.Batch, c.Threads)).Distinct().OrderBy(s => s.Threads).ThenBy(s => s.Batch).ToList();
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape("deployment latency, ms: median [95 % interval]"));
        table.AddColumn("method");
        table.AddColumn("engine");
        foreach (var (batch, threads) in settings)
            table.AddColumn(new TableColumn(string.Create(CultureInfo.InvariantCulture, $"batch {batch}, {threads} thread{(threads == 1 ? "" : "s")}")) { Alignment = Justify.Right });
        foreach (var r in results)
            foreach (var engine in r.Deployment.Select(c => c.Engine).Distinct())
            {
                var row = new List<string> { Markup.Escape(r.Label), engine.Name() };
                foreach (var (batch, threads) in settings)
                {
                    var cell = r.Deployment.FirstOrDefault(c => c.Engine == engine && c.Batch == batch && c.Threads == threads);
                    row.Add(cell is null ? "—" : Markup.Escape(Ms(cell.Latency)));
                }
                table.AddRow([.. row]);
            }
        console.Write(table);
        foreach (var r in results)
        {
            var speedUps = settings.Select(s => (s, x: DeploymentLatency.Int8SpeedUp(r.Deployment, s.Batch, s.Threads))).Where(p => p.x is not null).ToList();
            if (speedUps.Count == 0) continue;
            output.WriteLine($"{r.Label}: ONNX Runtime int8 vs ONNX Runtime fp32 " + string.Join(", ",
                speedUps.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.x:0.00}× (batch {p.s.Batch}, {p.s.Threads} thr)"))));
        }
    }

    /// <summary>"+1.20" or "+0.12 ≈" when |Δ| is within the noise.</summary>
    private static string Delta(double delta, double noise) =>
        (delta * 100).ToString("+0.00;-0.00", CultureInfo.InvariantCulture) + (Math.Abs(delta) <= noise ? " ≈" : "");

    private static bool Overlaps(LatencyEstimate a, LatencyEstimate b) => !a.FasterBeyondNoise(b) && !b.FasterBeyondNoise(a);

    private static string Ms(LatencyEstimate l) =>
        string.Create(CultureInfo.InvariantCulture, $"{l.MedianMs:F3} [{l.LowMs:F3}–{l.HighMs:F3}]");
}
