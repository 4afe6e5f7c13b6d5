using System.Diagnostics;
using ScaleLab.Core.Spec;
using static TorchSharp.torch;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// Inference latency. <see cref="Measure"/> (the compress grid): the median of 15 round means with its 95 % interval,
/// so that two variants are only called faster or slower when their intervals do not overlap. <see cref="Milliseconds"/>
/// (bench/): warm-up, then the best of 5 rounds of the mean over 20 runs (the minimum round filters out interference
/// from other processes; the mean within a round smooths timer resolution).
/// </summary>
public static class LatencyMeter
{
    public static double Milliseconds(Action run, int warmup = 10, int rounds = 5, int perRound = 20)
    {
        ArgumentNullException.ThrowIfNull(run);
        for (int i = 0; i < warmup; i++) run();
        double best = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < perRound; i++) run();
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds / perRound);
        }
        return best;
    }

    /// <summary>Rounds for <see cref="Measure"/>: 15 gives a 96.5 % interval between the 4th and 12th fastest round.</summary>
    public const int IntervalRounds = 15;

    /// <summary>Warm-up, then <see cref="IntervalRounds"/> rounds of the mean over <paramref name="perRound"/> runs: median and 95 % interval.</summary>
    public static LatencyEstimate Measure(Action run, int warmup = 10, int rounds = IntervalRounds, int perRound = 20)
    {
        ArgumentNullException.ThrowIfNull(run);
        for (int i = 0; i < warmup; i++) run();
        var means = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < perRound; i++) run();
            means[r] = clock.Elapsed.TotalMilliseconds / perRound;
        }
        return LatencyEstimate.FromRounds(means);
    }

    /// <summary>As <see cref="TorchMilliseconds"/>, with the noise: median and 95 % interval over rounds.</summary>
    public static LatencyEstimate Torch(nn.Module<Tensor, Tensor> model, Shape sampleShape, int batch, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        model.eval();
        using var noGrad = no_grad();
        using var input = rand([batch, .. sampleShape.Dims], device: device);
        return Measure(() =>
        {
            using var output = model.call(input);
            _ = output.cpu().data<float>()[0];
        });
    }

    /// <summary>A TorchSharp forward pass in eval mode without autograd on random input of the spec's shape.</summary>
    public static double TorchMilliseconds(nn.Module<Tensor, Tensor> model, Shape sampleShape, int batch, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        model.eval();
        using var noGrad = no_grad();
        using var input = rand([batch, .. sampleShape.Dims], device: device);
        return Milliseconds(() =>
        {
            using var output = model.call(input);
            _ = output.cpu().data<float>()[0];
        });
    }
}
