using System.Text.Json.Serialization;
using ScaleLab.Core.Json;

namespace ScaleLab.Torch.Compression;

/// <summary>
/// The one JSON form of a compression session, schema "scalelab.compress/2" (docs/schemas/compress.schema.json): what
/// OUT/compression.json holds and what `scalelab compress --json` prints, byte for byte. Raw figures, units in the key
/// (`_bytes`, `_seconds`); accuracies are fractions from 0 to 1. Version 2 adds the noise: latency intervals, the
/// accuracy noise of each comparison, the same-budget baseline a fine-tuned variant is compared with, the deployment
/// latency matrix and int8 speed-ups; pareto_optimal follows <see cref="ParetoRule"/>. The *_seconds keys of
/// version 1 remain (now medians).
/// </summary>
public static class CompressionResultsJson
{
    public const string SchemaId = "scalelab.compress/2";

    public static string Write(string runDirectory, IReadOnlyList<CompressionResult> results)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) throw new ArgumentException("a compression session has at least one result", nameof(results));
        var first = results[0];
        return ScaleLabJson.Write(new CompressionDocument(SchemaId, Path.GetFullPath(runDirectory),
            new CompressionBaseline(first.BaselineAccuracy, first.BaselineFileBytes, Seconds(first.BaselineLatencyBatch1.MedianMs),
                Seconds(first.BaselineLatencyBatch64.MedianMs), LatencySeconds.From(first.BaselineLatencyBatch1),
                LatencySeconds.From(first.BaselineLatencyBatch64), first.TestSamples),
            [.. results.Select(r => CompressionVariant.From(r, results))]));
    }

    private sealed record CompressionDocument(string Schema, string Run, CompressionBaseline Baseline, IReadOnlyList<CompressionVariant> Results);

    private sealed record CompressionBaseline(double Accuracy, long FileBytes, double LatencyBatch1Seconds, double LatencyBatch64Seconds,
        LatencySeconds LatencyBatch1, LatencySeconds LatencyBatch64, long TestSamples);

    private sealed record CompressionVariant(
        string Label, string ArtifactPath, CompressionParameters Parameters, long FileBytes, double FileRatio, double Accuracy, double AccuracyDelta,
        double AccuracyNoise, bool AccuracyDeltaWithinNoise, int FinetuneEpochs, bool FinetunedBaseline, SameBudgetBaseline? SameBudgetBaseline,
        bool ReloadedIdentically, string LatencyEngine, double LatencyBatch1Seconds, double LatencyBatch64Seconds, LatencySeconds LatencyBatch1,
        LatencySeconds LatencyBatch64, bool LatencyBatch64WithinNoiseOfBaseline, Int8Runtime? Int8Runtime, double? StaticInt8Accuracy,
        double? ScratchAccuracy, double CompressSeconds, IReadOnlyList<string> Steps, IReadOnlyList<DeploymentCell> Deployment,
        IReadOnlyList<Int8SpeedUp> Int8Speedups, bool ParetoOptimal)
    {
        public static CompressionVariant From(CompressionResult r, IReadOnlyList<CompressionResult> all)
        {
            double noise = ParetoRule.AccuracyNoise(r.Accuracy, r.BaselineAccuracy, r.TestSamples);
            return new CompressionVariant(r.Label, r.ArtifactPath, new CompressionParameters(r.Parameters, r.NonZeroParameters), r.FileBytes, r.FileRatio,
                r.Accuracy, r.AccuracyDelta, noise, Math.Abs(r.AccuracyDelta) <= noise, r.FineTuneEpochs, r.IsFineTunedBaseline,
                ParetoRule.SameBudgetBaseline(r, all) is { } reference ? SameBudgetBaseline.From(r, reference) : null,
                r.ReloadedIdentically, r.LatencyEngine, Seconds(r.LatencyBatch1.MedianMs), Seconds(r.LatencyBatch64.MedianMs),
                LatencySeconds.From(r.LatencyBatch1), LatencySeconds.From(r.LatencyBatch64),
                !r.LatencyBatch64.FasterBeyondNoise(r.BaselineLatencyBatch64) && !r.BaselineLatencyBatch64.FasterBeyondNoise(r.LatencyBatch64),
                r.Int8RuntimeAccuracy is double runtime
                    ? new Int8Runtime(runtime, r.Int8RuntimeLatencyBatch1Ms is double b1 ? Seconds(b1) : null,
                        r.Int8RuntimeLatencyBatch64Ms is double b64 ? Seconds(b64) : null, r.StaticInt8RuntimeAccuracy)
                    : null,
                r.StaticInt8Accuracy, r.ScratchAccuracy, r.Seconds, r.Steps,
                [.. r.Deployment.Select(c => DeploymentCell.From(c))],
                [.. r.Deployment.Where(c => c.Engine == InferenceEngine.OnnxRuntimeInt8)
                    .Select(c => DeploymentLatency.Int8SpeedUp(r.Deployment, c.Batch, c.Threads) is double speedUp ? new Int8SpeedUp("onnxruntime", c.Batch, c.Threads, speedUp) : null)
                    .OfType<Int8SpeedUp>()],
                ParetoRule.IsParetoOptimal(r, all));
        }
    }

    private sealed record CompressionParameters(long Total, long NonZero);

    /// <summary>The baseline fine-tuned for the same epochs, which a fine-tuned variant is compared with.</summary>
    private sealed record SameBudgetBaseline(string Label, double Accuracy, double AccuracyDelta, double AccuracyNoise, bool WithinNoise)
    {
        public static SameBudgetBaseline From(CompressionResult r, CompressionResult reference)
        {
            double noise = ParetoRule.AccuracyNoise(r, reference);
            return new(reference.Label, reference.Accuracy, r.Accuracy - reference.Accuracy, noise, Math.Abs(r.Accuracy - reference.Accuracy) <= noise);
        }
    }

    private sealed record Int8Runtime(double Accuracy, double? LatencyBatch1Seconds, double? LatencyBatch64Seconds, double? StaticAccuracy);

    /// <summary>Median and 95 % interval of the median (<see cref="LatencyEstimate"/>), in seconds.</summary>
    private sealed record LatencySeconds(double MedianSeconds, double LowSeconds, double HighSeconds, int Rounds)
    {
        public static LatencySeconds From(LatencyEstimate l) => new(Seconds(l.MedianMs), Seconds(l.LowMs), Seconds(l.HighMs), l.Rounds);
    }

    /// <summary>One engine × batch × threads cell of the deployment matrix, its interval flattened beside it.</summary>
    private sealed record DeploymentCell(string Engine, int Batch, int Threads, double MedianSeconds, double LowSeconds, double HighSeconds, int Rounds)
    {
        public static DeploymentCell From(DeploymentLatency c) => new(c.Engine.Name(), c.Batch, c.Threads, Seconds(c.Latency.MedianMs),
            Seconds(c.Latency.LowMs), Seconds(c.Latency.HighMs), c.Latency.Rounds);
    }

    private sealed record Int8SpeedUp(string Runtime, int Batch, int Threads, [property: JsonPropertyName("speedup")] double SpeedUp);

    private static double Seconds(double milliseconds) => milliseconds / 1000;
}
