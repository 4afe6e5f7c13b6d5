namespace ScaleLab.Core.Data;

/// <summary>The MNIST-format (IDX) data sets known by name: 28×28 grey images in ten classes.</summary>
public enum IdxSet { FashionMnist, Mnist, Kmnist }

/// <summary>The one name map of <see cref="IdxSet"/>: the names config files, --data and data directories use.</summary>
public static class IdxSets
{
    public static IReadOnlyList<IdxSet> All { get; } = [IdxSet.FashionMnist, IdxSet.Mnist, IdxSet.Kmnist];

    /// <summary>fashion-mnist, mnist, kmnist: also the folder each is looked for in (/usr/share/datasets/NAME).</summary>
    public static string Name(this IdxSet set) => set switch
    {
        IdxSet.FashionMnist => "fashion-mnist",
        IdxSet.Mnist => "mnist",
        IdxSet.Kmnist => "kmnist",
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, null),
    };

    /// <summary>Exact names only: a folder or config that says "MNIST" is not quietly read as "mnist".</summary>
    public static bool TryParse(string text, out IdxSet set)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var candidate in All)
        {
            if (candidate.Name() != text) continue;
            set = candidate;
            return true;
        }
        set = default;
        return false;
    }
}
