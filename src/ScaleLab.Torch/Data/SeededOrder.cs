namespace ScaleLab.Torch.Data;

/// <summary>
/// Deterministic permutations from (seed, epoch), independent of .NET's Random implementation so a run resumed on
/// another runtime sees the same order. SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
/// generators"; constants from Vigna's reference splitmix64.c) drives a Fisher–Yates shuffle (Knuth, TAOCP vol. 2, 3.4.2 P).
/// </summary>
public static class SeededOrder
{
    public static long[] Permutation(long count, int seed, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new long[count];
        for (long i = 0; i < count; i++) order[i] = i;
        ulong state = ((ulong)(uint)seed << 32) ^ (uint)epoch ^ 0x5CA1E1ABUL;
        for (long i = count - 1; i > 0; i--)
        {
            long j = (long)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
