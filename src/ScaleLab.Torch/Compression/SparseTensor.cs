namespace ScaleLab.Torch.Compression;

/// <summary>
/// A mostly-zero tensor stored as a bitmask (1 bit a weight, set where the weight is kept) plus the kept values in
/// row-major order. At sparsity s with fp32 values the size is 1/8 + 4·(1 − s) bytes a weight: 13% of dense at 90%.
/// A bitmask beats index lists (CSR needs ≥ 2 bytes an index) for every sparsity below ~94%.
/// </summary>
public sealed record SparseTensor(long[] Shape, long Elements, byte[] Mask, float[] Values)
{
    public long Kept => Values.LongLength;

    public double Sparsity => Elements == 0 ? 0 : 1.0 - (double)Kept / Elements;

    public static SparseTensor FromDense(float[] dense, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var mask = new byte[(dense.LongLength + 7) / 8];
        var values = new List<float>();
        for (long i = 0; i < dense.LongLength; i++)
        {
            if (dense[i] == 0f) continue;
            mask[i >> 3] |= (byte)(1 << (int)(i & 7));
            values.Add(dense[i]);
        }
        return new SparseTensor(shape, dense.LongLength, mask, [.. values]);
    }

    public float[] ToDense()
    {
        var dense = new float[Elements];
        long next = 0;
        for (long i = 0; i < Elements; i++)
        {
            if ((Mask[i >> 3] & (1 << (int)(i & 7))) == 0) continue;
            if (next >= Values.LongLength)
                throw new InvalidDataException($"sparse mask keeps more weights than the {Values.LongLength} values stored");
            dense[i] = Values[next++];
        }
        if (next != Values.LongLength)
            throw new InvalidDataException($"sparse mask keeps {next} weights but {Values.LongLength} values are stored");
        return dense;
    }
}
