using ScaleLab.Core.Accounting;
using ScaleLab.Core.Accounting.Autograd;
using ScaleLab.Core.Formatting;
using Spectre.Console;

namespace ScaleLab.Cli.Rendering;

/// <summary>
/// The torchinfo-style summary: one row per layer (children indented under their container), then totals.
/// Container rows show "--": their numbers are their children's, so the Param # and MACs columns of the leaf rows
/// add up exactly to the totals underneath (an invariant the golden-file tests check). With a depth limit (torchinfo's
/// depth), rows nested deeper are hidden and a container whose children are hidden shows their sums instead, so the
/// columns still add up.
/// </summary>
internal static class SummaryRenderer
{
    public static void Render(IAnsiConsole console, ModelCost cost, int? maxDepth = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(cost);
        var spec = cost.Spec;
        string sample = Sample(cost);
        console.WriteLine($"{spec.Name}: {spec.Description ?? "(no description)"}");
        console.WriteLine($"source: {spec.Source} · per {sample} · 1 MAC = 2 FLOPs");
        // What ScaleLab's own TorchSharp step keeps for backward, per layer (docs/verify.md), where every layer has a rule.
        var kept = StepMemory.Supports(spec) ? StepMemory.KeptByLayer(StepMemory.Tape(cost)) : null;
        var table = kept is null
            ? Cells.Table(null, "Layer", "Type", ">Output shape", ">Param #", ">MACs")
            : Cells.Table(null, "Layer", "Type", ">Output shape", ">Param #", ">MACs", ">Kept for backward");
        foreach (var row in cost.Layers)
        {
            if (row.Depth >= maxDepth) continue;
            bool childrenShown = row.IsContainer && !(row.Depth + 1 >= maxDepth);
            string place = new string(' ', 2 * row.Depth) + LastSegment(row.Path);
            string type = row.Name is null ? row.Type : $"{row.Type} ({row.Name})";
            var cells = new List<Spectre.Console.Rendering.IRenderable>
            {
                Cells.Text(place),
                Cells.Text(type),
                new Text(row.OutputShape.ToString()).RightJustified(),
                childrenShown ? Cells.Dash() : Cells.Exact(row.Parameters),
                childrenShown ? Cells.Dash() : Cells.Exact(row.ForwardMacs),
            };
            if (kept is not null) cells.Add(childrenShown ? Cells.Dash() : Cells.Bytes(KeptUnder(kept, row.Path)));
            table.AddRow(cells);
        }
        table.AddEmptyRow();
        if (kept is null) table.AddRow(Cells.Text("Total"), Cells.Text(""), Cells.Text(""), Cells.Exact(cost.Parameters), Cells.Exact(cost.ForwardMacs));
        else
        {
            kept.TryGetValue("loss", out long loss);
            table.AddRow(Cells.Text("loss"), Cells.Text("logits + log_softmax"), Cells.Text(""), Cells.Text(""), Cells.Text(""), Cells.Bytes(loss));
            table.AddRow(Cells.Text("Total"), Cells.Text(""), Cells.Text(""), Cells.Exact(cost.Parameters), Cells.Exact(cost.ForwardMacs), Cells.Bytes(kept.Values.Sum()));
        }
        console.Write(table);

        var totals = new Table().Border(TableBorder.None).HideHeaders();
        totals.AddColumn(new TableColumn("").PadRight(3));
        totals.AddColumn(new TableColumn("").RightAligned().PadRight(3));
        totals.AddColumn(new TableColumn(""));
        totals.AddRow(Cells.Text("Total parameters"), Cells.Exact(cost.Parameters), Cells.Text(HumanUnits.Things(cost.Parameters)));
        totals.AddRow(Cells.Text("Trainable parameters"), Cells.Exact(cost.TrainableParameters), Cells.Text(HumanUnits.Things(cost.TrainableParameters)));
        if (cost.ActiveParameters != cost.Parameters)
            totals.AddRow(Cells.Text("Active parameters per token"), Cells.Exact(cost.ActiveParameters), Cells.Text(HumanUnits.Things(cost.ActiveParameters)));
        totals.AddRow(Cells.Text("Buffers (not trained)"), Cells.Exact(cost.Buffers), Cells.Text("batch-norm running mean/var and step counter"));
        totals.AddRow(Cells.Text($"Forward MACs per {sample}"), Cells.Exact(cost.ForwardMacs), Cells.Text(HumanUnits.Count(cost.ForwardMacs)));
        totals.AddRow(Cells.Text($"Forward FLOPs per {sample}"), Cells.Exact(cost.ForwardFlops), Cells.Text(HumanUnits.Count(cost.ForwardFlops)));
        if (cost.AttentionMacs > 0)
            totals.AddRow(Cells.Text("  of which attention QKᵀ + AV MACs"), Cells.Exact(cost.AttentionMacs), Cells.Text("full S×S scores"));
        totals.AddRow(Cells.Text("Input shape"), Cells.Text(spec.Input?.ToString() ?? "-"), Cells.Text(spec.InputIsTokens ? "token ids" : ""));
        if (kept is not null)
            totals.AddRow(Cells.Text($"Kept for backward per {sample}"), Cells.Exact(kept.Values.Sum()),
                Cells.Text("bytes at fp32 in ScaleLab's TorchSharp step (what `scalelab verify` measures)"));
        totals.AddRow(Cells.Text($"Activations for GPU planning per {sample}"), Cells.Exact(cost.ActivationElements),
            Cells.Text($"elements, {HumanUnits.Bytes(Precision.Fp32.BytesFor(cost.ActivationElements))} at fp32 (Korthikanti et al.'s inventory, dropout masks included)"));
        totals.AddRow(Cells.Text("Weights and buffers at fp32"), Cells.Bytes(MemoryEstimator.DiskBytes(cost, Precision.Fp32)), Cells.Text(""));
        console.Write(totals);
    }

    /// <summary>The kept bytes of a row: its own path's and those of everything under it ("layers[5]" holds "layers[5].body[0]").</summary>
    private static long KeptUnder(IReadOnlyDictionary<string, long> kept, string path) =>
        kept.Where(k => k.Key == path || k.Key.StartsWith(path + ".", StringComparison.Ordinal)).Sum(k => k.Value);

    /// <summary>"sample", or "sequence of 1,024 tokens" for sequence models.</summary>
    public static string Sample(ModelCost cost) => cost.SequenceLength > 1 || cost.Spec.Transformer is not null
        ? $"sequence of {HumanUnits.Exact(cost.SequenceLength)} tokens"
        : "sample";

    /// <summary>
    /// "layers[4].body[0]" → "body[0]": the parent is the row above, indented one level less. Expert rows keep their
    /// group ("experts.gate_proj", "shared_experts.gate_proj"), which would otherwise read as two identical gate_proj rows.
    /// </summary>
    private static string LastSegment(string path)
    {
        int dot = path.LastIndexOf('.');
        if (dot < 0) return path;
        int group = path.LastIndexOf('.', dot - 1);
        string parent = path[(group + 1)..dot];
        return parent is "experts" or "shared_experts" ? path[(group + 1)..] : path[(dot + 1)..];
    }
}
