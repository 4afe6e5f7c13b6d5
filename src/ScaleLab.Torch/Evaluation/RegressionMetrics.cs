namespace ScaleLab.Torch.Evaluation;

/// <summary>
/// Streams (target, prediction) pairs batch by batch and yields a <see cref="RegressionReport"/>.
/// R²_j = 1 − SSE_j / SST_j with SST_j = Σy² − (Σy)²/n (sklearn.metrics.r2_score); when SST_j = 0 (a constant
/// target) R²_j is 1 if the predictions are exact and 0 otherwise, as sklearn does with force_finite=True.
/// Sums are in double, so float32 targets lose nothing that matters at these sizes.
/// </summary>
public sealed class RegressionMetrics
{
    private readonly double[] _sum, _sumSquares, _squaredError, _absoluteError;
    private long _samples;

    public RegressionMetrics(int targets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targets, 1);
        Targets = targets;
        _sum = new double[targets];
        _sumSquares = new double[targets];
        _squaredError = new double[targets];
        _absoluteError = new double[targets];
    }

    public int Targets { get; }

    /// <summary>Adds row-major (n, k) targets and predictions.</summary>
    public void Add(ReadOnlySpan<float> truth, ReadOnlySpan<float> predicted)
    {
        if (truth.Length != predicted.Length || truth.Length % Targets != 0)
            throw new ArgumentException($"{truth.Length} targets and {predicted.Length} predictions do not form rows of {Targets}");
        for (int i = 0; i < truth.Length; i++)
        {
            int j = i % Targets;
            double y = truth[i], e = predicted[i] - y;
            _sum[j] += y;
            _sumSquares[j] += y * y;
            _squaredError[j] += e * e;
            _absoluteError[j] += Math.Abs(e);
        }
        _samples += truth.Length / Targets;
    }

    public RegressionReport Report()
    {
        if (_samples == 0) return new RegressionReport(0, Targets, 0, 0, 0);
        double elements = (double)_samples * Targets;
        double r2 = 0;
        for (int j = 0; j < Targets; j++)
        {
            double sst = _sumSquares[j] - _sum[j] * _sum[j] / _samples;
            r2 += sst > 0 ? 1 - _squaredError[j] / sst : (_squaredError[j] == 0 ? 1 : 0);
        }
        return new RegressionReport(_samples, Targets, _squaredError.Sum() / elements, _absoluteError.Sum() / elements, r2 / Targets);
    }
}
