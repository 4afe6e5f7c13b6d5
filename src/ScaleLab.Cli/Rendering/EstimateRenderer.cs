using ScaleLab.Core.Accounting;
using ScaleLab.Core.Formatting;
using Spectre.Console;

namespace ScaleLab.Cli.Rendering;

/// <summary>
/// `scalelab estimate` for people: parameters, compute (MACs and FLOPs side by side, the convention stated),
/// training and inference memory by category, and disk size per precision. Exact counts with the human figure beside.
/// </summary>
internal static class EstimateRenderer
{
    public static void Render(IAnsiConsole console, EstimateReport r)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(r);
        var c = r.Cost;
        string sample = SummaryRenderer.Sample(c);
        console.WriteLine($"{r.Spec.Name}: {r.Spec.Description ?? "(no description)"}");
        console.WriteLine($"source: {r.Spec.Source} · {r.Kind} · per {sample}");
        Section(console, "Parameters", Parameters(r));
        Section(console, $"Compute per {sample} (1 MAC = 2 FLOPs)", Compute(r));
        var o = r.Options;
        string training = o.MixedPrecision
            ? $"mixed {MemoryEstimator.ComputePrecision(new TrainingMemoryOptions(o.Precision, o.Optimizer, true)).Name()}/fp32"
            : o.Precision.Name();
        string context = r.Inference.KvCacheBytes > 0 ? $", context {HumanUnits.Exact(c.SequenceLength)}" : "";
        Section(console, $"Memory · training: {training}, {o.Optimizer.Name()}, batch {HumanUnits.Exact(r.Batch)} · inference: {r.InferencePrecision.Name()}, batch {HumanUnits.Exact(r.Batch)}{context}", Memory(r));
        if (r.KvCache is { IsUniform: false })
            Section(console, $"KV cache per sequence by layer kind · {r.InferenceActivationPrecision.Name()}, context {HumanUnits.Exact(c.SequenceLength)}", KvCache(r));
        Section(console, "Disk · weights and buffers at each precision (file headers and quantization scales not counted)", Disk(r));
        if (r.Time is { } time)
        {
            string threads = $"{time.Threads} thread{(time.Threads == 1 ? "" : "s")}";
            Section(console, $"Training step time (predicted) · fp32, {o.Optimizer.Name()}, batch {HumanUnits.Exact(r.Batch)}, {threads}", Time(time.Estimate));
            console.WriteLine($"machine profile: {time.Profile} ({time.Machine}, {time.Device}, {threads})");
            console.WriteLine("`scalelab verify` measures the same step beside this figure (docs/verify.md).");
        }
    }

    private static Table Time(Core.Accounting.Autograd.StepTimeEstimate e)
    {
        var t = Cells.Table(null, "", ">Time", "Note");
        void Row(string name, double seconds, string note) => t.AddRow(Cells.Text(name), new Text(Milliseconds(seconds)).RightJustified(), Cells.Text(note));
        Row("forward", e.ForwardSeconds, "every kernel at the longer of its compute and memory time");
        Row("backward", e.BackwardSeconds, "input and weight gradients, .grad accumulation");
        Row("optimizer", e.OptimizerSeconds, "the update as calibrate measured it, and zero_grad");
        Row("kernel launches", e.DispatchSeconds, "each launch and autograd record at the measured overhead");
        t.AddEmptyRow();
        Row("step", e.Seconds, $"{(1 / e.Seconds).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} steps a second");
        return t;
    }

    private static string Milliseconds(double seconds) => (seconds * 1e3).ToString(seconds < 0.01 ? "0.000" : "0.00", System.Globalization.CultureInfo.InvariantCulture) + " ms";

    private static void Section(IAnsiConsole console, string heading, Table table)
    {
        console.WriteLine();
        console.WriteLine(heading);
        console.Write(table);
    }

    private static Table Parameters(EstimateReport r)
    {
        var c = r.Cost;
        var t = Cells.Table(null, "", ">Count", ">", "Note");
        t.AddRow(Cells.Text("total"), Cells.Exact(r.TotalParameters), Cells.Things(r.TotalParameters),
            Cells.Text(r.Adapters is null ? "tied weights counted once" : $"base {HumanUnits.Exact(c.Parameters)} + LoRA adapters"));
        t.AddRow(Cells.Text("trainable"), Cells.Exact(r.TrainableParameters), Cells.Things(r.TrainableParameters),
            Cells.Text(r.Adapters is null ? "" : $"adapters only: {((double)r.TrainableParameters / r.TotalParameters).ToString("0.0000%", System.Globalization.CultureInfo.InvariantCulture)} of all (r × (in + out) per targeted matrix per layer)"));
        t.AddRow(Cells.Text("active"), Cells.Exact(r.ActiveParameters), Cells.Things(r.ActiveParameters),
            Cells.Text(r.ActiveParameters == r.TotalParameters ? "every parameter is used for every token" : "used per token (mixture-of-experts: top-k experts, shared experts, router)"));
        if (r.ActiveParameters != r.TotalParameters)
            t.AddRow(Cells.Text("active without embedding"), Cells.Exact(r.ActiveParametersWithoutEmbedding), Cells.Things(r.ActiveParametersWithoutEmbedding),
                Cells.Text("the input lookup left out, as gpt-oss and DeepSeek quote active counts"));
        if (r.PredictionLayerParameters > 0)
            t.AddRow(Cells.Text("multi-token prediction"), Cells.Exact(r.PredictionLayerParameters), Cells.Things(r.PredictionLayerParameters),
                Cells.Text("MTP modules stored in the checkpoint, not in total"));
        t.AddRow(Cells.Text("buffers"), Cells.Exact(c.Buffers), Cells.Things(c.Buffers), Cells.Text("not trained: batch-norm running statistics, routing score biases"));
        return t;
    }

    private static Table Compute(EstimateReport r)
    {
        var c = r.Cost;
        var t = Cells.Table(null, "", ">MACs", ">FLOPs", ">", "Note");
        void Row(string name, long macs, string note) =>
            t.AddRow(Cells.Text(name), Cells.Exact(macs), Cells.Exact(checked(2 * macs)), Cells.Human(2.0 * macs), Cells.Text(note));
        Row("forward", c.ForwardMacs, "attention QKᵀ and AV included in full");
        if (c.AttentionMacs > 0)
        {
            Row("  attention QKᵀ + AV (full)", c.AttentionMacs, "every S×S score computed");
            if (r.HasCausalAttention)
            {
                Row("  attention QKᵀ + AV (causal)", c.CausalAttentionMacs, "only the S(S+1)/2 unmasked scores");
                Row("forward, causal attention", c.ForwardMacsCausal, "what a masked-block kernel (FlashAttention) does");
            }
        }
        if (c.SequenceLength > 1)
            t.AddRow(Cells.Text("forward per token"), Cells.Text(""), Cells.Exact(c.FlopsPerToken), Cells.Human(c.FlopsPerToken), Cells.Text("forward FLOPs / tokens"));
        t.AddRow(Cells.Text("training (forward + backward)"), Cells.Text(""), Cells.Exact(c.TrainingFlops), Cells.Human(c.TrainingFlops),
            Cells.Text("3 × forward: backward costs two matmuls per forward one"));
        t.AddRow(Cells.Text("  6·N·D shortcut"), Cells.Text(""), Cells.Exact(r.SixNd), Cells.Human(r.SixNd),
            Cells.Text(c.SequenceLength > 1 || r.Spec.Transformer is not null
                ? $"N = {HumanUnits.Things(c.ActiveParameters)} active parameters, D = {HumanUnits.Exact(c.SequenceLength)} tokens: 6N per token"
                : $"N = {HumanUnits.Things(c.ActiveParameters)} parameters, D = 1 sample"));
        t.AddRow(Cells.Text($"training per step (batch {HumanUnits.Exact(r.Batch)})"), Cells.Text(""), Cells.Exact(r.TrainingFlopsPerStep),
            Cells.Human(r.TrainingFlopsPerStep), Cells.Text(""));
        return t;
    }

    private static Table Memory(EstimateReport r)
    {
        var t = Cells.Table(null, "", ">Training", ">Inference");
        var tr = r.Training;
        var inf = r.Inference;
        MemoryRow(t, "weights", tr.WeightBytes, inf.WeightBytes);
        MemoryRow(t, "gradients", tr.GradientBytes, null);
        MemoryRow(t, "optimizer state", tr.OptimizerStateBytes, null);
        MemoryRow(t, "master weights (fp32)", tr.MasterWeightBytes, null);
        MemoryRow(t, "activations", tr.ActivationBytes, inf.ActivationBytes);
        MemoryRow(t, "buffers", tr.BufferBytes, null);
        MemoryRow(t, "KV cache", null, inf.KvCacheBytes);
        t.AddEmptyRow();
        MemoryRow(t, "total", tr.TotalBytes, inf.TotalBytes);
        return t;
    }

    private static void MemoryRow(Table t, string name, long? training, long? inference) =>
        t.AddRow(Cells.Text(name), Both(training), Both(inference));

    /// <summary>"44.59 MiB (46,758,048 B)"; small figures once ("812 B"); "" where a category does not apply.</summary>
    private static Spectre.Console.Rendering.IRenderable Both(long? bytes) => bytes switch
    {
        null => Cells.Text(""),
        < 1024 => Cells.Bytes(bytes.Value),
        { } b => new Text($"{HumanUnits.Bytes(b)} ({HumanUnits.Exact(b)} B)").RightJustified(),
    };

    private static Table KvCache(EstimateReport r)
    {
        var kv = r.KvCache!;
        var precision = r.InferenceActivationPrecision;
        var t = Cells.Table(null, "Layers", ">Count", ">Elements per token", ">Cached tokens", ">Bytes");
        foreach (var g in kv.Groups)
            t.AddRow(Cells.Text(g.Kind), Cells.Exact(g.Layers), Cells.Exact(g.ElementsPerToken), Cells.Exact(g.CachedTokens), Cells.Bytes(precision.BytesFor(g.Elements)));
        t.AddRow(Cells.Text("total"), Cells.Text(""), Cells.Text(""), Cells.Text(""), Cells.Bytes(precision.BytesFor(kv.ElementsPerSequence)));
        return t;
    }

    private static Table Disk(EstimateReport r)
    {
        var t = Cells.Table(null, "Precision", ">Bytes", ">");
        foreach (var (precision, bytes) in r.DiskBytes)
            t.AddRow(Cells.Text(precision.Name()), Cells.Exact(bytes), Cells.Bytes(bytes));
        if (MemoryEstimator.Mxfp4ExpertsDiskBytes(r.Cost) is { } mxfp4)
            t.AddRow(Cells.Text("mxfp4 experts, bf16 rest"), Cells.Exact(mxfp4.Bytes), Cells.Bytes(mxfp4.Bytes));
        return t;
    }
}
