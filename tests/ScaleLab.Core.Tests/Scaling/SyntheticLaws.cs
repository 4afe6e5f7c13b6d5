using ScaleLab.Core.Scaling;

namespace ScaleLab.Core.Tests.Scaling;

/// <summary>Points drawn from laws with known constants and log-normal noise of a stated spread (fixed seed).</summary>
internal static class SyntheticLaws
{
    /// <summary>Chinchilla's fitted constants (Hoffmann et al. 2022, eq. 10): the "published" law the joint tests recover.</summary>
    public static readonly JointConstants Chinchilla = new(1.69, 406.4, 410.7, 0.34, 0.28);

    public static readonly PowerLawConstants Mlp = new(0.25, 30, 0.35);

    public static List<PowerLawPoint> PowerLaw(PowerLawConstants law, double from, double to, int count, double noise, int seed)
    {
        var random = new Random(seed);
        var points = new List<PowerLawPoint>();
        for (int i = 0; i < count; i++)
        {
            double x = from * Math.Pow(to / from, i / (double)(count - 1));
            points.Add(new PowerLawPoint(x, law.Loss(x) * Math.Exp(noise * Gaussian(random)), $"synthetic {i + 1}"));
        }
        return points;
    }

    /// <summary>A grid of N × D (log-spaced), like an IsoFLOP-free sweep over model size and tokens.</summary>
    public static List<JointPoint> Joint(JointConstants law, double[] parameters, double[] tokens, double noise, int seed)
    {
        var random = new Random(seed);
        var points = new List<JointPoint>();
        foreach (double n in parameters)
        {
            foreach (double d in tokens)
                points.Add(new JointPoint(n, d, law.Loss(n, d) * Math.Exp(noise * Gaussian(random)), $"N={n:G3} D={d:G3}"));
        }
        return points;
    }

    public static double[] LogSpaced(double from, double to, int count) =>
        [.. Enumerable.Range(0, count).Select(i => from * Math.Pow(to / from, i / (double)(count - 1)))];

    /// <summary>Standard normal by Box–Muller.</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
