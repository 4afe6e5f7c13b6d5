using ScaleLab.Core.Spec;
using ScaleLab.Torch.Compression.Onnx;

namespace ScaleLab.Torch.Tests.Compression;

public sealed class OnnxExportTests
{
    private static DenseStack RandomStack(int seed)
    {
        var rng = new Random(seed);
        long[] sizes = [64, 48, 10];
        var layers = new List<DenseLayer>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            var w = new float[sizes[i] * sizes[i + 1]];
            for (int k = 0; k < w.Length; k++) w[k] = (float)(rng.NextDouble() - 0.5) * 0.4f;
            var b = new float[sizes[i + 1]];
            for (int k = 0; k < b.Length; k++) b[k] = (float)(rng.NextDouble() - 0.5) * 0.1f;
            layers.Add(new DenseLayer(sizes[i], sizes[i + 1], w, b, i == 0 ? ActivationKind.Relu : null));
        }
        return new DenseStack(64, layers);
    }

    /// <summary>The reference: y = relu(x W0ᵀ + b0) W1ᵀ + b1 in plain C#.</summary>
    private static float[] Reference(DenseStack stack, float[] x, int batch)
    {
        var h = x;
        foreach (var layer in stack.Layers)
        {
            var next = new float[batch * layer.Out];
            for (int n = 0; n < batch; n++)
                for (long o = 0; o < layer.Out; o++)
                {
                    double sum = layer.Bias?[o] ?? 0;
                    for (long i = 0; i < layer.In; i++) sum += h[n * layer.In + i] * layer.Weight[o * layer.In + i];
                    next[n * layer.Out + o] = layer.Activation == ActivationKind.Relu ? (float)Math.Max(0, sum) : (float)sum;
                }
            h = next;
        }
        return h;
    }

    private static float[] Input(int batch, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, batch * 64).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    [Fact]
    public void Fp32Export_MatchesThePlainForwardPass()
    {
        var stack = RandomStack(1);
        var x = Input(5, 2);
        using var session = new OnnxSession(OnnxExport.Export(stack, OnnxPrecision.Fp32), 64, threads: 1);
        var y = session.Run(x, 5);
        var expected = Reference(stack, x, 5);
        Assert.Equal(50, y.Length);
        double worst = y.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-4, $"worst difference {worst}");
    }

    [Theory]
    [InlineData(OnnxPrecision.Int8Dynamic)]
    [InlineData(OnnxPrecision.Int8Static)]
    public void Int8Export_StaysCloseToFp32(OnnxPrecision precision)
    {
        // Given calibrated input ranges for the static variant: inputs in [0, 1), hidden relu outputs in [0, ~3)
        var stack = RandomStack(3);
        var x = Input(16, 4);
        var expected = Reference(stack, x, 16);
        var scales = new List<(float, byte)> { (1f / 255, 0), (3f / 255, 0) };

        using var session = new OnnxSession(OnnxExport.Export(stack, precision, scales), 64, threads: 1);
        var y = session.Run(x, 16);

        // Then the int8 network's outputs are within 5% of the output range of the fp32 network's
        double range = expected.Max() - expected.Min();
        double worst = y.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 0.05 * range, $"worst error {worst} vs range {range}");
    }
}
