using ScaleLab.Core.Runs;
using System.Globalization;
using ScaleLab.Reports.Data;
using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>A confusion-matrix heatmap (rows true class, columns predicted) with the count written in every cell.</summary>
public static class ConfusionMatrixPlot
{
    public const string FileName = "confusion-matrix.png";

    public static PlotImage Render(ConfusionFile matrix, string title = "Confusion matrix")
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int k = matrix.Classes;
        string fullTitle = string.Create(CultureInfo.InvariantCulture, $"{title} (accuracy {matrix.Accuracy:0.0%}, {matrix.Total} samples)");
        using var plot = PlotCanvas.Create(fullTitle, "predicted class", "true class");
        // Heatmap row 0 is drawn at the top (ScottPlot 5 heatmaps place Intensities[0, *] at the highest y), as a table reads.
        var data = new double[k, k];
        long max = 1;
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++) { data[t, p] = matrix.Matrix[t][p]; max = Math.Max(max, matrix.Matrix[t][p]); }
        var heatmap = plot.Add.Heatmap(data);
        // ScottPlot's Blues runs dark → light; reversed, a high count is dark blue with white text, as in scikit-learn's display.
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues());
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "samples";
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                long count = matrix.Matrix[t][p];
                var text = plot.Add.Text(count.ToString(CultureInfo.InvariantCulture), p, k - 1 - t);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = k <= 10 ? 14 : 9;
                text.LabelFontColor = count > max / 2 ? Colors.White : Colors.Black;
            }
        }
        string Name(int i) => matrix.Label(i);
        double[] positions = [.. Enumerable.Range(0, k).Select(i => (double)i)];
        plot.Axes.Bottom.SetTicks(positions, [.. Enumerable.Range(0, k).Select(Name)]);
        plot.Axes.Left.SetTicks([.. positions.Select(p => k - 1 - p)], [.. Enumerable.Range(0, k).Select(Name)]);
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.HideGrid();
        return PlotCanvas.Render(plot, FileName, title, 820, 720);
    }
}
