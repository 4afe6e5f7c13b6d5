using System.Globalization;
using ScaleLab.Core.Import.Checkpoints;

namespace ScaleLab.Cli.Commands;

/// <summary>
/// Collapses consecutive layers with the same tensor count, parameters and bytes into one row ("layers 0–31"),
/// so an 80-layer model prints as a few lines. Text only: the summary keeps one group per layer.
/// </summary>
internal static class LayerRuns
{
    internal sealed record Run(string Name, int Count, LayerGroup First);

    public static IReadOnlyList<Run> Collapse(IReadOnlyList<LayerGroup> groups)
    {
        var runs = new List<Run>();
        int i = 0;
        while (i < groups.Count)
        {
            var first = groups[i];
            int j = i + 1;
            while (first.Kind == LayerKind.Layer && j < groups.Count && Same(first, groups[j]) && groups[j].Index == groups[j - 1].Index + 1) j++;
            int count = j - i;
            string name = count == 1 ? first.Name : string.Create(CultureInfo.InvariantCulture, $"layers {first.Index}–{groups[j - 1].Index}");
            runs.Add(new Run(name, count, first));
            i = j;
        }

        return runs;
    }

    private static bool Same(LayerGroup a, LayerGroup b) =>
        b.Kind == LayerKind.Layer && a.Tensors == b.Tensors && a.Parameters == b.Parameters && a.Bytes == b.Bytes;
}
