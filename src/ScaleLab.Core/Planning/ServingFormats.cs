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
