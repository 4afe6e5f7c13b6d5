using System.Text.Json.Serialization;

namespace ScaleLab.Core.Runs;

/// <summary>
/// confusion.json: Matrix[t][p] counts test samples of true class t predicted as p (rows true, columns predicted, as
/// scikit-learn); Labels are the class names (null or shorter than the matrix: class numbers are shown). Square,
/// non-negative, checked by <see cref="RunReader.ReadConfusion"/>.
/// </summary>
public sealed record ConfusionFile(IReadOnlyList<string>? Labels, long[][] Matrix)
{
    [JsonIgnore]
    public int Classes => Matrix.Length;

    [JsonIgnore]
    public long Total => Matrix.Sum(r => r.Sum());

    [JsonIgnore]
    public double Accuracy => Total == 0 ? 0 : Enumerable.Range(0, Classes).Sum(i => Matrix[i][i]) / (double)Total;

    /// <summary>The name of class <paramref name="i"/>: its label, or its number when it has none.</summary>
    public string Label(int i) => Labels is { } l && i < l.Count ? l[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
