namespace ScaleLab.Reports.Plots;

/// <summary>A label's box in pixels (y grows downwards, as on the image).</summary>
public readonly record struct LabelBox(double Left, double Top, double Width, double Height)
{
    public double Right => Left + Width;

    public double Bottom => Top + Height;

    public bool Overlaps(LabelBox other) => Left < other.Right && other.Left < Right && Top < other.Bottom && other.Top < Bottom;

    public bool Inside(LabelBox area) => Left >= area.Left && Right <= area.Right && Top >= area.Top && Bottom <= area.Bottom;
}

/// <summary>Where a point's label went: its box, and whether it sits far enough away to need a leader line to its point.</summary>
public sealed record PlacedLabel(int Index, LabelBox Box, bool Leader);

/// <summary>
/// Greedy label placement: each label in turn takes the first of eight positions around its point (right-above,
/// right-below, left-above, left-below, above, below, right, left), first beside the marker and then at two and four
/// times that gap (with a leader line), where its box stays inside the data area and overlaps no label already
/// placed, no marker and no occupied box (the legend). A label with no free position is dropped rather than drawn over another. Labels are taken
/// left to right, so in a crowded cluster the leftmost points keep theirs.
/// </summary>
public static class LabelPlacement
{
    /// <summary>Pixels between a marker's centre and the nearest corner of its label at the first distance.</summary>
    public const double Gap = 6;

    private static readonly (double Dx, double Dy)[] Directions = [(1, -1), (1, 1), (-1, -1), (-1, 1), (0, -1), (0, 1), (1, 0), (-1, 0)];
    private static readonly double[] Distances = [1, 2, 4];

    /// <param name="anchors">Each point's pixel position.</param>
    /// <param name="sizes">Each label's width and height in pixels.</param>
    /// <param name="area">The data area labels must stay inside.</param>
    /// <param name="markerRadius">Half the marker size: no label covers any marker.</param>
    /// <param name="occupied">Boxes drawn over the data area (the legend) that no label may sit under.</param>
    public static IReadOnlyList<PlacedLabel> Place(IReadOnlyList<(double X, double Y)> anchors, IReadOnlyList<(double Width, double Height)> sizes, LabelBox area, double markerRadius,
        IReadOnlyList<LabelBox>? occupied = null)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(sizes);
        if (anchors.Count != sizes.Count) throw new ArgumentException($"{anchors.Count} anchors but {sizes.Count} label sizes", nameof(sizes));
        var markers = anchors.Select(a => new LabelBox(a.X - markerRadius, a.Y - markerRadius, 2 * markerRadius, 2 * markerRadius)).Concat(occupied ?? []).ToList();
        var placed = new List<PlacedLabel>();
        foreach (int i in Enumerable.Range(0, anchors.Count).OrderBy(i => anchors[i].X).ThenBy(i => anchors[i].Y))
        {
            var found = Candidates(anchors[i], sizes[i], markerRadius)
                .Where(c => c.Box.Inside(area) && !placed.Any(p => p.Box.Overlaps(c.Box)) && !markers.Any(m => m.Overlaps(c.Box)))
                .Select(c => (PlacedLabel?)new PlacedLabel(i, c.Box, c.Leader))
                .FirstOrDefault();
            if (found is not null) placed.Add(found);
        }
        return [.. placed.OrderBy(p => p.Index)];
    }

    private static IEnumerable<(LabelBox Box, bool Leader)> Candidates((double X, double Y) anchor, (double Width, double Height) size, double markerRadius)
    {
        foreach (double distance in Distances)
        {
            double gap = (markerRadius + Gap) * distance;
            foreach (var (dx, dy) in Directions)
            {
                // The box's near edge sits `gap` from the point along each direction it moves; along a direction it
                // does not move (dx or dy = 0) it is centred on the point.
                double left = dx > 0 ? anchor.X + gap : dx < 0 ? anchor.X - gap - size.Width : anchor.X - (size.Width / 2);
                double top = dy > 0 ? anchor.Y + gap : dy < 0 ? anchor.Y - gap - size.Height : anchor.Y - (size.Height / 2);
                yield return (new LabelBox(left, top, size.Width, size.Height), distance > 1);
            }
        }
    }
}
