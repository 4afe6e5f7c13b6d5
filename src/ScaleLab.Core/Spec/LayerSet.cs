using System.Globalization;

namespace ScaleLab.Core.Spec;

/// <summary>
/// A set of block indices (0-based), compared by value so that specs holding one stay comparable records. Used for the
/// per-layer patterns of current models: which layers are dense in a mixture of experts, which attend locally.
/// </summary>
public sealed class LayerSet : IEquatable<LayerSet>
{
    private readonly int[] _layers;

    private LayerSet(int[] sortedDistinct) => _layers = sortedDistinct;

    /// <summary>The indices, ascending.</summary>
    public IReadOnlyList<int> Layers => _layers;

    public int Count => _layers.Length;

    public static LayerSet Of(IEnumerable<int> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return new LayerSet([.. layers.Distinct().Order()]);
    }

    /// <summary>The layers of 0 … count−1 for which <paramref name="predicate"/> holds.</summary>
    public static LayerSet Where(int count, Func<int, bool> predicate) => new([.. Enumerable.Range(0, count).Where(predicate)]);

    public bool Contains(int layer) => Array.BinarySearch(_layers, layer) >= 0;

    public bool Equals(LayerSet? other) => other is not null && _layers.AsSpan().SequenceEqual(other._layers);

    public override bool Equals(object? obj) => Equals(obj as LayerSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int layer in _layers) hash.Add(layer);
        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", _layers.Select(l => l.ToString(CultureInfo.InvariantCulture))) + "]";
}
