using System.CommandLine;
using System.Globalization;
using ScaleLab.Cli.Rendering;
using ScaleLab.Core.Formatting;
using ScaleLab.Core.Import.Checkpoints;
using Spectre.Console;

namespace ScaleLab.Cli.Commands;

/// <summary>`scalelab inspect FILE`: what a .safetensors / sharded index / .gguf file holds, from its headers only.</summary>
internal static class InspectCommand
{
    /// <summary>Metadata values longer than this (a spec JSON, a chat template) are cut in the table.</summary>
    private const int MaxValueChars = 100;

    public static Command Create()
    {
        var file = new Argument<string>("file")
        {
            Description = "A .safetensors file, a sharded model.safetensors.index.json (or the folder holding it), or a .gguf file",
        };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON (tensors included)" };
        var tensors = new Option<bool>("--tensors") { Description = "Also list every tensor with its dtype, shape and size" };
        var command = new Command("inspect",
            "Show a checkpoint's parameters by dtype, bytes, metadata and per-layer breakdown, read from its headers in "
            + "milliseconds (tensor data is never read). Hostile or damaged files get a one-line error naming the problem.\n\n"
            + "Example:\n  scalelab inspect examples/checkpoints/model.safetensors --tensors");
        command.Arguments.Add(file);
        command.Options.Add(json);
        command.Options.Add(tensors);
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(json), parse.GetValue(tensors), parse.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>The summary of <paramref name="path"/> (without the tensor list in text form); `estimate FILE` delegates here.</summary>
    internal static int Run(string path, bool json, TextWriter output) => Run(path, json, listTensors: false, output);

    internal static int Run(string path, bool json, bool listTensors, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var summary = CheckpointSummaryReader.Read(path);
        if (json)
        {
            output.WriteLine(InspectJson.Write(summary));
            return 0;
        }

        Render(Terminal.For(output), summary, listTensors);
        return 0;
    }

    private static void Render(IAnsiConsole console, CheckpointSummary s, bool listTensors)
    {
        string files = s.Files == 1 ? "1 file" : string.Create(CultureInfo.InvariantCulture, $"{s.Files} files");
        console.WriteLine(s.Path);
        console.WriteLine($"{s.Format} · {files} · {HumanUnits.Bytes(s.FileBytes)} on disk · {HumanUnits.Exact(s.Tensors.Count)} tensors · "
            + $"{HumanUnits.Exact(s.ModelParameters)} parameters ({HumanUnits.Things(s.ModelParameters)}){NonZero(s)} · {HumanUnits.Bytes(s.TensorBytes)} of tensor data");

        if (s.Compressed is { } c) Section(console, $"Compressed model ({c.Layout}): logical tensors, what each stores", Compressed(c));
        Section(console, "Parameters by dtype", DTypes(s));
        if (s.Architecture.Count > 0) Section(console, "Architecture", KeyValues(s.Architecture));
        if (s.Metadata.Count > 0) Section(console, "Metadata", KeyValues(s.Metadata));
        if (s.Layers.Count > 0) Section(console, "Layers (grouped by tensor name; identical consecutive layers collapsed)", Layers(s));
        if (listTensors) Section(console, "Tensors", Tensors(s));
    }

    private static void Section(IAnsiConsole console, string heading, Table table)
    {
        console.WriteLine();
        console.WriteLine(heading);
        console.Write(table);
    }

    private static Table DTypes(CheckpointSummary s)
    {
        var t = Cells.Table(null, "DType", ">Tensors", ">Parameters", ">Bytes", ">Share of bytes");
        foreach (var d in s.ByDType)
            t.AddRow(Cells.Text(d.DType), Cells.Exact(d.Tensors), Cells.ExactAndHuman(d.Parameters), Cells.Bytes(d.Bytes), Share(d.Bytes, s.TensorBytes));
        t.AddRow(Cells.Text("total"), Cells.Exact(s.Tensors.Count), Cells.ExactAndHuman(s.Parameters), Cells.Bytes(s.TensorBytes), Share(s.TensorBytes, s.TensorBytes));
        return t;
    }

    private static string NonZero(CheckpointSummary s) => s.Compressed is not { } c
        ? ""
        : string.Create(CultureInfo.InvariantCulture, $", {HumanUnits.Exact(c.NonZero)} non-zero ({(c.Parameters == 0 ? 0 : 100.0 * c.NonZero / c.Parameters):0.0} %)");

    private static Table Compressed(Core.Import.Checkpoints.CompressedContents c)
    {
        var t = Cells.Table(null, "Tensor", "Shape", "Encoding", ">Parameters", ">Non-zero", ">Stored", ">Bits per weight");
        foreach (var x in c.Tensors)
        {
            string shape = "[" + string.Join(", ", x.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
            t.AddRow(Cells.Text(x.Name), Cells.Text(shape), Cells.Text(x.Encoding), Cells.Exact(x.Parameters), Cells.Exact(x.NonZero),
                Cells.Bytes(x.StoredBytes), Cells.Text(x.BitsPerWeight.ToString("0.00", CultureInfo.InvariantCulture)));
        }
        long stored = c.Tensors.Sum(x => x.StoredBytes);
        t.AddRow(Cells.Text("total"), Cells.Text(""), Cells.Text(""), Cells.Exact(c.Parameters), Cells.Exact(c.NonZero), Cells.Bytes(stored),
            Cells.Text((c.Parameters == 0 ? 0 : 8.0 * stored / c.Parameters).ToString("0.00", CultureInfo.InvariantCulture)));
        return t;
    }

    private static Table KeyValues(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        var t = Cells.Table(null, "Key", "Value");
        foreach (var (key, value) in pairs)
        {
            string shown = value.Length <= MaxValueChars
                ? value
                : string.Create(CultureInfo.InvariantCulture, $"{value[..MaxValueChars]}… ({value.Length} chars)");
            t.AddRow(Cells.Text(key), Cells.Text(shown.ReplaceLineEndings("\\n")));
        }

        return t;
    }

    private static Table Layers(CheckpointSummary s)
    {
        var t = Cells.Table(null, "Group", ">Count", ">Tensors each", ">Parameters each", ">Bytes each", ">Share of bytes");
        foreach (var run in LayerRuns.Collapse(s.Layers))
        {
            var g = run.First;
            t.AddRow(Cells.Text(run.Name), Cells.Exact(run.Count), Cells.Exact(g.Tensors), Cells.ExactAndHuman(g.Parameters),
                Cells.Bytes(g.Bytes), Share(g.Bytes * run.Count, s.TensorBytes));
        }

        return t;
    }

    private static Table Tensors(CheckpointSummary s)
    {
        var t = Cells.Table(null, "Name", "DType", "Shape", ">Parameters", ">Bytes");
        foreach (var tensor in s.Tensors)
        {
            string shape = "[" + string.Join(", ", tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
            t.AddRow(Cells.Text(tensor.Name), Cells.Text(tensor.DType), Cells.Text(shape), Cells.Exact(tensor.Parameters), Cells.Bytes(tensor.Bytes));
        }

        return t;
    }

    private static Spectre.Console.Rendering.IRenderable Share(long part, long total) =>
        new Text(total == 0 ? "--" : (100.0 * part / total).ToString("0.0", CultureInfo.InvariantCulture) + " %").RightJustified();
}
