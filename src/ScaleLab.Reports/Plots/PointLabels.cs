using ScottPlot;

namespace ScaleLab.Reports.Plots;

/// <summary>
/// Point labels that never collide: lays the plot out once at its final size to learn where each point lands in
/// pixels, measures each label with the font it is drawn in, places them with <see cref="LabelPlacement"/>, and adds
/// the text (and a thin leader line for a label set further off). The legend's box counts as occupied, so no label
/// sits under it. Call it after every other plottable, axis setting and ShowLegend, since they decide the layout.
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

        var placed = LabelPlacement.Place(anchors, sizes, area, markerSize / 2, LegendBox(plot) is { } legend ? [legend] : []);
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

    /// <summary>
    /// Where the legend is drawn, in pixels of the last layout: its image's size, set inside the data area at its
    /// alignment and margin (as ScottPlot lays it out); null when the legend is hidden or empty.
    /// </summary>
    internal static LabelBox? LegendBox(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        if (!plot.Legend.IsVisible) return null;
        using var image = plot.Legend.GetImage();
        if (image.Width <= 1 || image.Height <= 1) return null;
        var data = plot.LastRender.DataRect;
        var margin = plot.Legend.Margin;
        string alignment = plot.Legend.Alignment.ToString();
        double w = image.Width, h = image.Height;
        double left = alignment.EndsWith("Left", StringComparison.Ordinal) ? data.Left + margin.Left
            : alignment.EndsWith("Right", StringComparison.Ordinal) ? data.Right - margin.Right - w
            : data.Left + ((data.Width - w) / 2);
        double top = alignment.StartsWith("Upper", StringComparison.Ordinal) ? data.Top + margin.Top
            : alignment.StartsWith("Lower", StringComparison.Ordinal) ? data.Bottom - margin.Bottom - h
            : data.Top + ((data.Height - h) / 2);
        return new LabelBox(left, top, w, h);
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
