using ScaleLab.Core.Presets;
using Spectre.Console;

namespace ScaleLab.Cli.Rendering;

/// <summary>`scalelab estimate --list`: one row per preset with its family and total and active parameters.</summary>
internal static class PresetListRenderer
{
    public static void Render(IAnsiConsole console, IReadOnlyList<PresetSummary> presets)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(presets);
        var t = Cells.Table(null, "Preset", "Family", ">Parameters", ">Active", ">Active w/o embedding");
        foreach (var p in presets)
            t.AddRow(Cells.Text(p.Name), Cells.Text(p.Family), Cells.Things(p.Parameters), Cells.Things(p.ActiveParameters), Cells.Things(p.ActiveWithoutEmbedding));
        console.Write(t);
        console.WriteLine("Active: parameters one token uses (mixture-of-experts: top-k routed + shared experts); w/o embedding: the input lookup left out.");
    }
}
