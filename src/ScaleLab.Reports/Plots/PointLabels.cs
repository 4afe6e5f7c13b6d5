using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>
/// Point labels that never collide: lays the plot out once at its final size to learn where each point lands in
/// pixels, measures each label with the font it is drawn in, places them with <see cref="LabelPlacement"/>, and adds
/// the text (and a thin leader line for a label set further off). Call it after every other plottable and axis
/// setting, since they decide the layout.
/// </summary>
internal static class PointLabels
{
    public const float FontSize = 10;

    /// <summary>Pixels added around the measured text, so neighbouring labels keep a visible gap.</summary>
    private const double Padding = 2;

    /// <param name="markerSize">The largest marker's size in pixels: no label covers any marker.</param>
    public static IReadOnlyList<PlacedLabel> Add(Plot plot, IReadOnlyList<(string Text, double X, double Y)> points, double markerSize, float fontSize = FontSize, int width = PlotCanvas.Width, int height = PlotCanvas.Height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) return [];
        plot.RenderInMemory(width, height);
        plot.Axes.SetLimits(plot.Axes.GetLimits());   // the limits this layout used, kept for the final render
        var data = plot.LastRender.DataRect;
        var area = new LabelBox(data.Left, data.Top, data.Width, data.Height);
        var anchors = points.Select(p => plot.GetPixel(new Coordinates(p.X, p.Y))).Select(px => ((double)px.X, (double)px.Y)).ToList();
        var style = new LabelStyle { FontSize = fontSize };
        using var paint = Paint.NewDisposablePaint();
        var sizes = points.Select(p =>
        {
            style.Text = p.Text;
            var measured = style.Measure(paint);
            return ((double)measured.Width + (2 * Padding), (double)measured.Height + (2 * Padding));
        }).ToList();

        var placed = LabelPlacement.Place(anchors, sizes, area, markerSize / 2);
        foreach (var label in placed)
        {
            var (text, x, y) = points[label.Index];
            var anchor = anchors[label.Index];
            var added = plot.Add.Text(text, x, y);
            added.LabelFontSize = fontSize;
            added.LabelAlignment = Alignment.UpperLeft;
            added.OffsetX = (float)(label.Box.Left + Padding - anchor.Item1);
            added.OffsetY = (float)(label.Box.Top + Padding - anchor.Item2);
            if (label.Leader) AddLeader(plot, (x, y), label.Box);
        }
        return placed;
    }

    /// <summary>A thin grey line from the point to the nearest point of its label's box.</summary>
    private static void AddLeader(Plot plot, (double X, double Y) point, LabelBox box)
    {
        var pixel = plot.GetPixel(new Coordinates(point.X, point.Y));
        double nx = Math.Clamp(pixel.X, box.Left, box.Right), ny = Math.Clamp(pixel.Y, box.Top, box.Bottom);
        var end = plot.GetCoordinates(new Pixel((float)nx, (float)ny));
        var line = plot.Add.Line(point.X, point.Y, end.X, end.Y);
        line.LineColor = Colors.Gray;
        line.LineWidth = 1;
    }
}
