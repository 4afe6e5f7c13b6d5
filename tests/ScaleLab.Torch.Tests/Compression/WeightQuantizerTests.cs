using ScaleLab.Torch.Compression;

namespace ScaleLab.Torch.Tests.Compression;

public sealed class WeightQuantizerTests
{
    private static float[] RandomWeights(int count, int seed, float spread = 0.2f)
    {
        var rng = new Random(seed);
        var w = new float[count];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextDouble() * 2 - 1) * spread;
        return w;
    }

    [Theory]
    [InlineData(QuantScheme.Int8PerTensorSymmetric)]
    [InlineData(QuantScheme.Int8PerTensorAsymmetric)]
    [InlineData(QuantScheme.Int8PerChannelSymmetric)]
    [InlineData(QuantScheme.Int8PerChannelAsymmetric)]
    public void Int8_RoundTrip_ErrorIsAtMostHalfAStep(QuantScheme scheme)
    {
        // Given a 30x50 matrix whose rows have very different ranges
        var w = RandomWeights(30 * 50, 7);
        for (int r = 0; r < 30; r++)
            for (int c = 0; c < 50; c++) w[r * 50 + c] *= r + 1;

        // When it is quantized and dequantized
        var q = WeightQuantizer.Quantize(w, [30, 50], scheme);
        var back = WeightQuantizer.Dequantize(q);

        // Then every value is within half a quantization step of the original, and one byte a weight is stored
        Assert.Equal(w.Length, q.Values.Length);
        bool perChannel = scheme is QuantScheme.Int8PerChannelSymmetric or QuantScheme.Int8PerChannelAsymmetric;
        Assert.Equal(perChannel ? 30 : 1, q.Scales.Length);
        for (int i = 0; i < w.Length; i++)
        {
            float step = q.Scales[perChannel ? i / 50 : 0];
            Assert.InRange(Math.Abs(back[i] - w[i]), 0, step / 2 + 1e-6f);
        }
    }

    [Fact]
    public void Int8_PerChannel_IsMoreAccurateThanPerTensor_WhenRowsDiffer()
    {
        var w = RandomWeights(20 * 64, 3);
        for (int c = 0; c < 64; c++) w[c] *= 50; // one row with a 50x larger range
        double Error(QuantScheme s)
        {
            var back = WeightQuantizer.Dequantize(WeightQuantizer.Quantize(w, [20, 64], s));
            return w.Zip(back, (a, b) => (double)(a - b) * (a - b)).Sum();
        }
        Assert.True(Error(QuantScheme.Int8PerChannelSymmetric) * 10 < Error(QuantScheme.Int8PerTensorSymmetric));
    }

    [Fact]
    public void Int8_Asymmetric_KeepsExactZerosExact()
    {
        var w = RandomWeights(4 * 32, 5);
        for (int i = 0; i < w.Length; i += 3) w[i] = 0;
        var back = WeightQuantizer.Dequantize(WeightQuantizer.Quantize(w, [4, 32], QuantScheme.Int8PerChannelAsymmetric));
        for (int i = 0; i < w.Length; i += 3) Assert.Equal(0f, back[i]);
    }

    [Theory]
    [InlineData(QuantScheme.Int4GroupSymmetric, 32)]
    [InlineData(QuantScheme.Int4GroupSymmetric, 64)]
    [InlineData(QuantScheme.Int4GroupSymmetric, 128)]
    [InlineData(QuantScheme.Int4GroupAsymmetric, 64)]
    public void Int4_PacksTwoWeightsAByte_WithOneScalePerGroup(QuantScheme scheme, int group)
    {
        // Given 10 rows of 300 inputs (300 is not a multiple of the group: the last group is short)
        var w = RandomWeights(10 * 300, 11);

        // When quantized to int4
        var q = WeightQuantizer.Quantize(w, [10, 300], scheme, group);
        var back = WeightQuantizer.Dequantize(q);

        // Then two weights share a byte, each row has ceil(300/group) scales, and the error stays within half a step
        Assert.Equal(1500, q.Values.Length);
        Assert.Equal(10 * ((300 + group - 1) / group), q.Scales.Length);
        long groupsPerRow = (300 + group - 1) / group;
        for (int i = 0; i < w.Length; i++)
        {
            float step = q.Scales[i / 300 * groupsPerRow + i % 300 / group];
            Assert.InRange(Math.Abs(back[i] - w[i]), 0, step / 2 + 1e-6f);
        }
    }

    [Fact]
    public void Int4_RejectsUnsupportedGroupSize()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            WeightQuantizer.Quantize(new float[64], [1, 64], QuantScheme.Int4GroupSymmetric, 48));
        Assert.Contains("32, 64 or 128", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sparse_RoundTripIsExact_AndStoresOneBitAWeightPlusKeptValues()
    {
        var w = RandomWeights(1000, 2);
        for (int i = 0; i < w.Length; i++) if (i % 10 != 0) w[i] = 0; // 90% sparse
        var sparse = SparseTensor.FromDense(w, [10, 100]);
        Assert.Equal(100, sparse.Kept);
        Assert.Equal(0.9, sparse.Sparsity, 10);
        Assert.Equal(125, sparse.Mask.Length);
        Assert.Equal(w, sparse.ToDense());
    }

    [Fact]
    public void Sparse_RejectsMaskAndValueCountMismatch()
    {
        var sparse = new SparseTensor([8], 8, [0b0000_0111], [1f, 2f]);
        var ex = Assert.Throws<InvalidDataException>(() => sparse.ToDense());
        Assert.Equal("sparse mask keeps more weights than the 2 values stored", ex.Message);
    }
}
