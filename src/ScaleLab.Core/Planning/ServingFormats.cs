using ScaleLab.Core.Accounting;
using ScaleLab.Core.NumberFormats;

namespace ScaleLab.Core.Planning;

/// <summary>
/// Storage formats for serving beyond the plain <see cref="Accounting.Precision"/>s: weights stored tensor by tensor
/// (block formats with their scales, llama.cpp's mixed presets) and a KV cache with its scales.
/// </summary>
/// <param name="Weights">Every weight tensor in its format; null keeps the plain precision's figure.</param>
/// <param name="Kv">The cache format; null keeps the plain precision's.</param>
public sealed record ServingFormats(WeightStorage? Weights, KvFormat? Kv)
{
    /// <summary>The matmul format: fp8 weights multiply in fp8 where the device has it; every other block format is dequantized to fp16.</summary>
    public ComputeFormat? MatmulFormat(HardwareProfile hardware)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        if (Weights is null) return null;
        bool fp8 = Weights.Recipe.StartsWith("fp8", StringComparison.Ordinal);
        if (fp8 && hardware.Peak.For(ComputeFormat.Fp8) is not null) return ComputeFormat.Fp8;
        return hardware.Peak.For(ComputeFormat.Fp16) is not null ? ComputeFormat.Fp16 : ComputeFormat.Fp32;
    }
}

/// <summary>
/// A <see cref="ServingPlanner"/> plan with stored weight formats and a scaled KV cache: the plain plan at the nominal
/// precision, then its weight bytes, cache bytes, largest batch, bytes read per step and matmul format taken from the
/// formats. The cache keeps the planner's values (every layer, kv heads, context) and stores them with the format's scales.
/// </summary>
public static class ServingFormatsPlanner
{
    public static ServingPlan Plan(ModelCost cost, HardwareProfile hardware, long context, long batch, Precision nominal,
        ServingFormats formats, Precision? kvCache = null, int gpus = 1)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(formats);
        var plain = ServingPlanner.Plan(cost, hardware, context, batch, nominal, kvCache, gpus);
        var m = cost.Spec.Transformer;

        long weightBytes = formats.Weights?.TotalBytes ?? plain.WeightBytes;
        long kvPerSequence = formats.Kv is { } kv && plain.KvCacheBytesPerSequence > 0 && m is not null
            ? kv.Bytes(checked(plain.KvCacheBytesPerSequence * 8 / plain.KvPrecision.Bits()), m.EffectiveHeadDim)
            : plain.KvCacheBytesPerSequence;
        long? maxBatch = kvPerSequence == 0 ? null : Math.Max(0, (plain.CapacityBytes - weightBytes) / kvPerSequence);

        // A step reads the same weights at the stored bits per parameter, and every sequence's cache in its format.
        double plainWeightsRead = plain.BytesReadPerStep - ((double)plain.KvCacheBytesPerSequence * batch);
        double bitsRatio = 8.0 * weightBytes / cost.Parameters / plain.WeightPrecision.Bits();
        double bytesPerStep = (plainWeightsRead * bitsRatio) + ((double)kvPerSequence * batch);

        var format = formats.MatmulFormat(hardware) ?? plain.ComputeFormat;
        return plain with
        {
            WeightBytes = weightBytes,
            KvCacheBytesPerSequence = kvPerSequence,
            MaxBatch = maxBatch,
            BytesReadPerStep = bytesPerStep,
            ComputeFormat = format,
            PeakFlopsPerSecond = hardware.PeakFor(format) * gpus,
            Formats = formats,
        };
    }
}
