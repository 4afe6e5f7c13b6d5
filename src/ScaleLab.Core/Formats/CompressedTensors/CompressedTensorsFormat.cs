namespace ScaleLab.Core.Formats.CompressedTensors;

/// <summary>
/// The names of the compressed-tensors checkpoint format (github.com/vllm-project/compressed-tensors, the layout
/// vLLM and Hugging Face transformers load): a folder with config.json holding "quantization_config" and
/// model.safetensors holding the compressed tensors. ScaleLab writes the layout of release 0.14 — the last one that
/// still writes "sparsity_config" with the sparse-bitmask compressor (0.15 removed sparse compressors).
/// Written here once; the writer (ScaleLab.Torch) and the inspector (ScaleLab.Core) both use these.
/// </summary>
public static class CompressedTensorsFormat
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "model.safetensors";
    public const string QuantizationConfigKey = "quantization_config";
    public const string SparsityConfigKey = "sparsity_config";
    public const string QuantMethod = "compressed-tensors";
    public const string Version = "0.14.0";

    /// <summary>Weight-only int8: the int8 weight under its own name, with weight_scale (+ weight_zero_point).</summary>
    public const string NaiveQuantized = "naive-quantized";

    /// <summary>Sub-byte ints packed densely into int32 along the last dimension: weight_packed, weight_scale, weight_shape.</summary>
    public const string PackQuantized = "pack-quantized";

    /// <summary>Unstructured sparsity: shape, compressed (non-zero values), bitmask (rows × ⌈cols/8⌉, LSB first), row_offsets.</summary>
    public const string SparseBitmask = "sparse-bitmask";

    // Parameter names, appended to a module's name with a dot ("layers.0.weight_packed").
    public const string Weight = "weight";
    public const string WeightScale = "weight_scale";
    public const string WeightZeroPoint = "weight_zero_point";
    public const string WeightPacked = "weight_packed";
    public const string WeightShape = "weight_shape";
    public const string SparseShape = "shape";
    public const string SparseCompressed = "compressed";
    public const string SparseBitmaskName = "bitmask";
    public const string SparseRowOffsets = "row_offsets";

    /// <summary>Where ScaleLab keeps the model spec inside config.json, so the folder alone rebuilds the model.</summary>
    public const string ScaleLabSpecKey = "scalelab_spec";
}
