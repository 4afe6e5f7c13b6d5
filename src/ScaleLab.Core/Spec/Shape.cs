using System.Collections.Immutable;
using System.Globalization;

namespace ScaleLab.Core.Spec;

/// <summary>
/// The shape of one sample, without the batch dimension: (C, H, W) for images, (S, E) for sequences,
/// (F) for feature vectors. Two shapes are equal when their dimensions are.
/// </summary>
public sealed class Shape : IEquatable<Shape>
{
    public Shape(IEnumerable<long> dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        Dims = [.. dims];
    }

    public static Shape Of(params long[] dims) => new(dims);

    public ImmutableArray<long> Dims { get; }

    public int Rank => Dims.Length;

    public long this[int index] => Dims[index < 0 ? Dims.Length + index : index];

    /// <summary>Number of elements in one sample; checked, so a hostile shape cannot wrap around.</summary>
    public long Elements
    {
        get
        {
            long n = 1;
            foreach (long d in Dims) n = checked(n * d);
            return n;
        }
    }

    public Shape WithLast(long last) => new(Dims.SetItem(Dims.Length - 1, last));

    public bool Equals(Shape? other) => other is not null && Dims.SequenceEqual(other.Dims);

    public override bool Equals(object? obj) => Equals(obj as Shape);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (long d in Dims) hash.Add(d);
        return hash.ToHashCode();
    }

    /// <summary>"1x28x28": the form used in messages and tables.</summary>
    public override string ToString() =>
        string.Join('x', Dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));
}
